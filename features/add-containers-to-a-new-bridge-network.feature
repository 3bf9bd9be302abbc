# Seed document: "Add Containers to a New Bridge Network".
# my_server_image/server_app stand for a server on port 5000; busybox is the probe image's
# shell. `/ # ping server` in the document is run inside client with exec.
Feature: Add Containers to a New Bridge Network
  Verify that the containers can locate and communicate with each other. Note: Containers created
  on the default bridge network don't get name resolution by default in the way described above.
  This is consistent with docker bridge network behavior.

  @id:new-bridge.network-listed
  Scenario: docker network ls lists the new network with driver bridge
    When I run `docker network create -d bridge my-bridge-network`
    Then `docker network ls` lists my-bridge-network with driver "bridge", where the document shows:
      """
      NETWORK ID          NAME                DRIVER
      615d565d498c        my-bridge-network   bridge
      """

  # One row per direction: a deviation in one direction leaves the other observed.
  Scenario Outline: The server and client containers can ping each other by name: <from> pings <to>
    When I run `docker network create -d bridge my-bridge-network`
    And I run `docker run -d --net=my-bridge-network --name=server my_server_image server_app`
    And I run `docker run -it --name=client --net=my-bridge-network busybox`
    Then in <from>, `ping -c 3 <to>` gets replies from <to> on my-bridge-network

    @id:new-bridge.ping-by-name.client-to-server
    Examples:
      | from   | to     |
      | client | server |

    @id:new-bridge.ping-by-name.server-to-client
    Examples:
      | from   | to     |
      | server | client |

  # Note: Containers created on the default bridge network don't get name resolution by
  # default in the way described above. This is consistent with docker bridge network behavior.
  @id:new-bridge.default-bridge-no-names
  Scenario: Containers created on the default bridge network don't get name resolution
    When I run `docker run -d --name=server my_server_image server_app`
    And I run `docker run -it --name=client busybox`
    Then in client, `nslookup server` cannot resolve server, while server's address on bridge answers "Hello world!" on port 5000
    And in client, `ping -c 3 server` cannot resolve server, while server's address on bridge answers "Hello world!" on port 5000
