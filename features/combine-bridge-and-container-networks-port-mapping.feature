# Seed document: "Deploy Containers That Combine Bridge Networks with a Container Network",
# its port-mapping example. `public` is the target's container network; the document's id
# 50ca68165532… is whatever id the endpoint prints, and 50 is a prefix of it, as the document
# calls the container: the shortest of at least 4 characters that no other container's id starts with.
Feature: Deploy Containers That Combine Bridge Networks with a Container Network
  If you implement port forwarding when a container VM is connected to both the bridge network
  and a container network, the port mapping applies to the network that you use on the create
  command. It does not apply to networks that are connected after creation.

  Background:
    Given a container network public
    When I run `docker create -p 80:8080 --net=public tomcat:alpine`, which prints the id 50…
    And I run `docker network connect bridge 50`
    And I run `docker start 50`

  @exclusive:host-port-80 @shared:container-network-range
  @id:combine.mapping-on-create-network-only.applies-to-create-network
  Scenario: The port mapping applies to the network that you use on the create command
    Then `docker ps` shows 50 with ports "<its address on public>:80->8080/tcp", where the document shows:
      """
      CONTAINER ID        IMAGE               COMMAND             CREATED             STATUS              PORTS                         NAMES
      50ca68165532        tomcat:alpine       "catalina.sh run"   7 minutes ago       Up 5 minutes        192.168.78.159:80->8080/tcp   priceless_tesla
      """
    And from the outside, 50's address on public answers "Hello world!" on port 80

  # The document calls the container by the first characters of the id docker create printed.
  @exclusive:host-port-80 @shared:container-network-range
  @id:combine.container-addressed-by-id-prefix
  Scenario: docker network connect and docker start call the container by a prefix of its id
    Then 50 is a prefix of the id `docker create` printed, and that container runs on public and on bridge, where the document shows:
      """
      $ docker create -p 80:8080 --net=public tomcat:alpine
      50ca681655326775da27462ee062f3a74c4157ff04470fcfda9b176470270d6a
      $ docker network connect bridge 50
      $ docker start 50
      """

  # A public interface may refuse port 80 or drop it silently: either is no answer once the
  # control, a server of the suite's own published on the same interface (from the default
  # bridge), answers from the same source just before.
  @exclusive:host-port-80 @exclusive:host-port-5080 @shared:container-network-range
  @id:combine.mapping-on-create-network-only.not-to-connected-networks
  Scenario: The port mapping does not apply to networks that are connected after creation
    Given I run `docker run -d -p 5080:5000 --name=control my_server_image server_app`
    Then from the public network, `telnet vch_public_interface 80` gets no answer, while port 5080 there answers "Hello world!" from control
