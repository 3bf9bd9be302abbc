# Seed document: "Deploy Containers That Combine Bridge Networks with a Container Network": the three
# advantages it gives a container network over a port exposed on the VCH.
# ExternalNetwork is the target's container network; the outside client, the suite's listener and its
# peer services sit on its segment, never beyond this machine. The suite's own services in view (a line
# service on 7070, a peer service on 7071) only answer; the documented service is view's port 80.
@shared:container-network-range
Feature: Deploy Containers That Combine Bridge Networks with a Container Network
  1) The container can get its own external IP address. 2) The container is not dependent on the
  VCH control plane being up for network connectivity. This allows the VCH to be powered down or
  upgraded with zero impact on the network connectivity of the deployed container. 3) This avoids
  the use of NAT.

  Background:
    Given a container network ExternalNetwork
    And a listener outside the endpoint's networks
    When I run `docker network create --internal bridge-db`
    And I run `docker run -d --name db --net bridge-db myrepo/mydatabase`
    And I run `docker create -d -p 80 --name view --net bridge-db myrepo/web-view`
    And I run `docker network connect ExternalNetwork view`
    And I run `docker start view`

  # The scenario holds the whole endpoint: nothing else of the run may call it while it is down.
  # A Docker Engine stops its containers with it unless it runs with live-restore.
  @id:combine.control-plane-down.connectivity-kept @exclusive:endpoint @mutates
  Scenario: The container is not dependent on the VCH control plane being up for network connectivity
    Given an endpoint whose control plane the suite may stop and start
    When the outside client holds a connection to view's address on ExternalNetwork and asks it, and port 80, every 250 ms
    And the endpoint's control plane is stopped, and its API does not answer
    And the control plane stays down while the outside client keeps asking
    And the endpoint's control plane is started again, and its API answers
    Then the outside client got every answer from view and kept its connection open throughout
    And view still runs, with the same address on ExternalNetwork, and `docker ps` lists it

  @id:combine.no-nat.outbound-source-is-own-address
  Scenario: This avoids the use of NAT: the outside sees view's connections come from its own address
    Then in view, the outside listener answers and saw the connection come from view's address on ExternalNetwork

  @id:combine.no-nat.inbound-peer-is-client
  Scenario: This avoids the use of NAT: view sees the outside client's connections come from the client's own address
    Then from the outside, view's address on ExternalNetwork answers and view saw the connection come from the outside client's own address

  # NOTE: Container networks are strongly isolated from all other networks. The outside client routes
  # web's bridge address through gate (on the bridge and the container network) and through the
  # endpoint's public address: a gate that forwards, or an endpoint that routes into its bridges,
  # answers. The controls: gate answers the outside client, web answers gate. The routes are the
  # outside client's, which every lab endpoint shares: one scenario at a time on this host.
  @id:combine.container-network-isolated @exclusive:outside-routes
  Scenario: Container networks are strongly isolated from all other networks
    When I run `docker network create bridge-web`
    And I run `docker run -d --name web --net bridge-web myrepo/web-model`
    And I run `docker create -d --name gate --net bridge-web myrepo/web-view`
    And I run `docker network connect ExternalNetwork gate`
    And I run `docker start gate`
    Then from the outside, web's address on bridge-web does not answer on port 80, routed through gate's address on ExternalNetwork or the endpoint's public address
