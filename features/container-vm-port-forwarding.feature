# Seed document: "Container VM Port Forwarding". tomcat:alpine listens on 8080, as its
# Dockerfile defines; the document leaves the container unnamed (the suite calls it tomcat).
@shared:container-network-range
Feature: Container VM Port Forwarding
  When a container VM is connected to a container-network as the primary network, you can
  forward a port on the container VM, in the same way you can via NAT on the endpoint VM.

  @id:port-forwarding.port-80-on-container-network
  Scenario: The Tomcat webserver answers on port 80 of the container VM, via published-container-net
    Given a container network published-container-net
    When I run `docker run --net=published-container-net -p 80:8080 -d tomcat:alpine`
    Then from the outside, tomcat's address on published-container-net answers "Hello world!" on port 80
