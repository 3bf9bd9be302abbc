# Seed document: "Publish a Container Port".
# my_container/my_app stand for a web service on port 80: the suite runs its probe image
# there, which answers a request line with "Hello world!".
Feature: Publish a Container Port
  Result: You can access Port 80 on test1 from the public network interface on the VCH at port 8080.

  @exclusive:host-port-8080
  @id:publish.port-8080-on-public-interface
  Scenario: You can access Port 80 on test1 from the public network interface on the VCH at port 8080
    When I run `docker run -p 8080:80 --name test1 my_container my_app`
    Then from the public network, `telnet vch_public_interface 8080` and `GET /` answers "Hello world!" from test1
