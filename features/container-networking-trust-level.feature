# Seed document: the NOTE under its title, "Container Networking with vSphere Integrated
# Containers Engine". The outside client sits on the container network's segment (the lab's
# extclient namespace); my_container/my_app is a service on port 80.
@shared:container-network-range
Feature: Container Networking with vSphere Integrated Containers Engine
  NOTE: The default level of trust on VCH container networks is published. As a consequence,
  if the vSphere administrator did not configure --container-network-firewall on the VCH, you
  must specify -p 80 in docker run and docker create commands to publish port 80 on a container.

  @id:trust.published-port-reachable
  Scenario: A port published with -p 80 is reachable from the outside on a container network
    Given a container network ExternalNetwork
    When I run `docker run -d -p 80 --name web --net=ExternalNetwork my_container my_app`
    Then from the outside, web's address on ExternalNetwork answers "Hello world!" on port 80

  @id:trust.unpublished-port-closed
  Scenario: A port not published with -p is not reachable from the outside on a container network
    Given a container network ExternalNetwork
    When I run `docker run -d --name web --net=ExternalNetwork my_container my_app`
    Then in web, web's address on ExternalNetwork answers "Hello world!" on port 80
    But from the outside, web's address on ExternalNetwork does not answer on port 80, while it answers ping
