# Seed document: "Bridged Containers with an Exposed Port".
# server_app binds to port 5000 (the probe answers "Hello world!"). The document's
# `telnet server 5000` then `GET /` is sent with nc, since busybox telnet is interactive.
@exclusive:host-port-5000
Feature: Bridged Containers with an Exposed Port
  Result: The server and client containers can ping each other by name. You can connect to server
  on port 5000 from the client container and to port 5000 on the VCH public network.

  Background:
    Given I run `docker network create -d bridge my-bridge-network`
    And I run `docker run -d -p 5000:5000 --net=my-bridge-network --name=server my_server_image server_app`
    And I run `docker run -it --name=client --net=my-bridge-network busybox`

  @id:exposed-port.network-listed
  Scenario: docker network ls lists the new network with driver bridge
    Then `docker network ls` lists my-bridge-network with driver "bridge", where the document shows:
      """
      NETWORK ID          NAME                DRIVER
      615d565d498c        my-bridge-network   bridge
      """

  Scenario Outline: The server and client containers can ping each other by name: <from> pings <to>
    Then in <from>, `ping -c 3 <to>` gets replies from <to> on my-bridge-network

    @id:exposed-port.ping-by-name.client-to-server
    Examples:
      | from   | to     |
      | client | server |

    @id:exposed-port.ping-by-name.server-to-client
    Examples:
      | from   | to     |
      | server | client |

  @id:exposed-port.client-to-server-5000
  Scenario: You can connect to server on port 5000 from the client container
    Then in client, `telnet server 5000` and `GET /` answers "Hello world!" from server

  @id:exposed-port.public-5000
  Scenario: You can connect to port 5000 on the VCH public network
    Then from the public network, `telnet vch_public_interface 5000` and `GET /` answers "Hello world!" from server
