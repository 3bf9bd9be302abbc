# Seed document: "Deploy Containers That Combine Bridge Networks with a Container Network".
# ExternalNetwork (and `public` in the port-mapping example) is the target's container network;
# the outside client and the suite's listener sit on its segment, never beyond this machine.
@shared:container-network-range
Feature: Deploy Containers That Combine Bridge Networks with a Container Network
  A "container" network is a vSphere port group that a container can be connected to directly
  and which allows the container to have an external identity on that network. This can be
  combined with one or more private bridge networks for intra-container traffic.

  Background:
    Given a container network ExternalNetwork
    And a listener outside the endpoint's networks
    When I run `docker network create --internal bridge-db`
    And I run `docker run -d --name db --net bridge-db myrepo/mydatabase`
    And I run `docker run -d --name model --net bridge-db myrepo/web-model`
    And I run `docker create -d -p 80 --name view --net bridge-db myrepo/web-view`
    And I run `docker network connect ExternalNetwork view`
    And I run `docker start view`

  @id:combine.container-network-listed
  Scenario: The container network is visible when you run docker network ls
    Then `docker network ls` lists ExternalNetwork, where the document shows:
      """
      NETWORK ID          NAME                DRIVER              SCOPE
      baf6919f5721        ExternalNetwork     external
      fc41d9a86514        bridge              bridge
      """

  # The DRIVER column: the document's line for the container network says external.
  @id:combine.container-network-driver-external
  Scenario: docker network ls shows the container network with driver external
    Then `docker network ls` lists ExternalNetwork with driver "external", where the document shows:
      """
      NETWORK ID          NAME                DRIVER              SCOPE
      baf6919f5721        ExternalNetwork     external
      """

  # The default network's row: bridge, the network every VCH has, with DRIVER bridge.
  @id:combine.default-bridge-listed
  Scenario: docker network ls shows the default network bridge with driver bridge
    Then `docker network ls` lists bridge with driver "bridge", where the document shows:
      """
      NETWORK ID          NAME                DRIVER              SCOPE
      fc41d9a86514        bridge              bridge
      """

  # Six paths, each its own result: a deviation on one path leaves the other five observed.
  Scenario Outline: All the containers can communicate with each other: <from> to <to>
    Then in <from>, `telnet <to> 80` and `GET /` answers "Hello world!" from <to>

    @id:combine.all-communicate.db-to-model
    Examples:
      | from | to    |
      | db   | model |

    @id:combine.all-communicate.db-to-view
    Examples:
      | from | to   |
      | db   | view |

    @id:combine.all-communicate.model-to-db
    Examples:
      | from  | to |
      | model | db |

    @id:combine.all-communicate.model-to-view
    Examples:
      | from  | to   |
      | model | view |

    @id:combine.all-communicate.view-to-db
    Examples:
      | from | to |
      | view | db |

    @id:combine.all-communicate.view-to-model
    Examples:
      | from | to    |
      | view | model |

  # The listener is the suite's own, outside the endpoint's networks: view reaching it shows it
  # answers; the source reaching a peer by address shows the source's network works.
  Scenario Outline: db and web-model cannot communicate externally: <from>
    Then in view, the outside listener answers "Hello world!" from the outside listener
    But in <from>, the outside listener cannot be reached, while <peer>'s address on bridge-db answers "Hello world!" on port 80

    @id:combine.db-and-model-no-external.db
    Examples:
      | from | peer  |
      | db   | model |

    @id:combine.db-and-model-no-external.model
    Examples:
      | from  | peer |
      | model | db   |

  @id:combine.view-external-ip-port-80
  Scenario: web-view has its own external IP address and its service is available on port 80 of that IP address
    Then in view, `ip addr` shows its address on ExternalNetwork, in the container network's range and not the VCH's public address
    And from the outside, view's address on ExternalNetwork answers "Hello world!" on port 80

  # NOTE: Given that a container network manifests as a vNIC on the container VM, it has its
  # own distinct network interface in the container.
  @id:combine.container-network-own-interface
  Scenario: A container network is its own distinct network interface in the container
    Then in view, `ip addr` shows its addresses on bridge-db and ExternalNetwork on distinct interfaces
