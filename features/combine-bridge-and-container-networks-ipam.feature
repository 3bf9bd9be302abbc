# Seed document: "Deploy Containers That Combine Bridge Networks with a Container Network": its NOTE on
# how bridges are kept apart. Bridges only: every endpoint has them, a container network or not.
Feature: Deploy Containers That Combine Bridge Networks with a Container Network
  NOTE: Multiple bridge networks are backed by the same port group as the default bridge, segregated via
  IP address management. Container networks are strongly isolated from all other networks.

  @id:combine.bridges-segregated-by-ipam
  Scenario: Multiple bridge networks are backed by the same port group as the default bridge, segregated via IP address management
    When I run `docker network create --internal bridge-db`
    And I run `docker network create bridge-web`
    Then bridge-db, bridge-web and the default bridge have pairwise disjoint subnets
