# Seed document: "Deploy a Container with a Static IP Address".
# container-net is the target's container network, its range the one the administrator gave
# (VIC: --container-network-ip-range). ip_address is a free address the suite picks in that
# range; outside_address is in the subnet but outside the range. container1 is created first,
# as VIC requires, on the default bridge.
# Every scenario connects or starts container1: each changes what the Background built (@mutates).
@exclusive:container-network-range @mutates
Feature: Deploy a Container with a Static IP Address
  The IP address that you specify in docker network connect --ip must be within the specified range. If you do not
  specify --ip, the VCH assigns an IP address from the range.

  Background:
    Given a container network container-net with an address range
    And I run `docker create -it --name container1 busybox`

  @id:static-ip.connect-with-ip
  Scenario: The container container1 runs with the specified IP address on the container-net network
    When I run `docker network connect --ip ip_address container-net container1`
    And I run `docker start container1`
    Then in container1, `ip addr` shows the address ip_address
    And from the outside, container1's address on container-net answers ping

  @id:static-ip.assigned-from-range
  Scenario: If you do not specify --ip, the VCH assigns an IP address from the range
    When I run `docker network connect container-net container1`
    And I run `docker start container1`
    Then in container1, `ip addr` shows its address on container-net, in the container network's range and not the VCH's public address

  # "Must be within the specified range" says the address is refused, not which command refuses it:
  # Docker refuses the connect; VIC accepts it and refuses the address when the start binds container1.
  @id:static-ip.outside-range-refused
  Scenario: An IP address outside the specified range is refused
    When I try `docker network connect --ip outside_address container-net container1`, then `docker start container1` if it was accepted
    Then one of them is refused, naming the address or the range, and neither inspect nor `ip addr` shows container1 running with outside_address

  @id:static-ip.taken-address-refused
  Scenario: An IP address another container already has is refused
    Given I run `docker network connect --ip ip_address container-net container1`
    And I run `docker start container1`
    And I run `docker create -it --name container2 busybox`
    When I try `docker network connect --ip ip_address container-net container2`, then `docker start container2` if it was accepted
    Then one of them is refused, naming the address, and neither inspect nor `ip addr` shows container2 running with ip_address

  # The other side of "the vSphere administrator must have specified the --container-network-ip-range
  # option": a second container network, deployed on the same interface without a range
  # (192.0.2.0/24, a documentation range; one run at a time holds it).
  @exclusive:subnet-192.0.2.0-24
  @id:static-ip.rangeless-network-refuses-ip
  Scenario: Without --container-network-ip-range, a static IP address is refused
    Given a container network rangeless-net on the same interface, deployed without an address range
    When I try `docker network connect --ip rangeless_address rangeless-net container1`
    Then it is refused, naming the address or the range
