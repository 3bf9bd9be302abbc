# Seed document: the NOTE under its title, "Container Networking with vSphere Integrated
# Containers Engine". The outside client sits on the container network's segment (the lab's
# extclient namespace); my_container/my_app is a service on port 80. What a port answers from the
# outside depends on the trust level the VCH was deployed with (the profile's
# deployment.containerNetworkFirewall, published by default, as the NOTE says): open lets every
# port in; closed, outbound and peers let nothing in (not applicable: no control could answer).
@shared:container-network-range
Feature: Container Networking with vSphere Integrated Containers Engine
  NOTE: The default level of trust on VCH container networks is published. As a consequence,
  if the vSphere administrator did not configure --container-network-firewall on the VCH, you
  must specify -p 80 in docker run and docker create commands to publish port 80 on a container.

  @id:trust.published-port-reachable
  Scenario: A port published with -p 80 is reachable from the outside on a container network
    Given a container network ExternalNetwork
    And the container network's trust level, published unless set with --container-network-firewall
    When I run `docker run -d -p 80 --name web --net=ExternalNetwork my_container my_app`
    Then from the outside, web's address on ExternalNetwork answers "Hello world!" on port 80

  # The NOTE names docker create too: the mapping made at create time holds once the container starts.
  @id:trust.create-published-port-reachable
  Scenario: A port published with -p 80 in docker create is reachable from the outside once started
    Given a container network ExternalNetwork
    And the container network's trust level, published unless set with --container-network-firewall
    When I run `docker create -p 80 --name web --net=ExternalNetwork my_container my_app`
    And I run `docker start web`
    Then from the outside, web's address on ExternalNetwork answers "Hello world!" on port 80

  @id:trust.unpublished-port-closed
  Scenario: A port not published with -p is not reachable from the outside on a container network
    Given a container network ExternalNetwork
    And the container network's trust level, published unless set with --container-network-firewall
    When I run `docker run -d --name web --net=ExternalNetwork my_container my_app`
    Then in web, web's address on ExternalNetwork answers "Hello world!" on port 80
    But from the outside, web's address on ExternalNetwork does not answer on port 80 unless open, while it answers ping
