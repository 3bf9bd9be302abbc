# Seed document: "Deploy a Network Container that supports DHCP".
# DhcpNetwork is the target's DHCP network (on the lab: macvlan with DHCP IPAM; udhcpd serves
# it from the outside client's namespace); dns_server is the DNS server its profile names. The
# command without --dns is given the profile's deployment.dhcpErrorWithinSeconds (60 s by default),
# and its error must be the document's whole line, as the docker CLI prints it: from its first
# character to its end, or to the detail VIC's portlayer adds after ": " (context deadline exceeded).
Feature: Deploy a Network Container that supports DHCP
  Deploy a container that supports DHCP by specifying the DHCP network in the docker run
  command. For the container to get an IP address from DHCP server, you must specify the DNS
  server in the --dns option of the docker run command.

  Background:
    Given a DHCP container network DhcpNetwork, whose DNS server the document calls dns_server

  @id:dhcp.lease-and-dns
  Scenario: A container on the DHCP network with --dns gets its address from the DHCP server
    When I run `docker run -it --net=DhcpNetwork --dns dns_server --name container1 busybox`
    Then in container1, `ip addr` shows an address from the DHCP server's pool
    And in container1, `cat /etc/resolv.conf` names the nameserver dns_server

  @id:dhcp.without-dns-times-out
  Scenario: If you do not specify a DNS server, the command times out with the documented error
    When I try `docker run -it --net=DhcpNetwork --name container1 busybox`, for as long as the VCH's DHCP error may take
    Then it is refused with the whole line "docker: Error response from daemon: Server error from portlayer: unable to wait for process launch status"
