# Seed document: "Create a Bridge Network with Non-Default Subnet Mask".
# The document writes `docker network create --subnet value`; the suite's value is
# 203.0.113.0/24, a documentation range, and the network is my-subnet-network. An engine
# refuses a second network with that subnet ("Pool overlaps"): one run at a time holds it.
Feature: Create a Bridge Network with Non-Default Subnet Mask
  To override the default subnet mask, you can specify a new value by using the
  docker network create --subnet option. By default, user-defined bridge networks in VCHs have a
  subnet mask value of 16. The vSphere administrator can also configure a VCH with a different
  default subnet mask by using the --bridge-network-width option when they deploy the VCH.

  @exclusive:subnet-203.0.113.0-24
  @id:subnet.non-default-mask-honoured
  Scenario: docker network create --subnet sets the subnet of a new bridge network
    When I run `docker network create --subnet 203.0.113.0/24 my-subnet-network`
    And I run `docker run -it --name=client --net=my-subnet-network busybox`
    Then `docker network inspect my-subnet-network` shows the subnet 203.0.113.0/24
    And in client, `ip addr` shows an address in 203.0.113.0/24

  @id:subnet.default-mask-16
  Scenario: By default, user-defined bridge networks have a subnet mask value of 16
    When I run `docker network create -d bridge my-bridge-network`
    And I run `docker run -it --name=client --net=my-bridge-network busybox`
    Then `docker network inspect my-bridge-network` shows a subnet with the default mask (/16, or --bridge-network-width)
    And in client, `ip addr` shows its address on my-bridge-network with the default mask (/16, or --bridge-network-width)
