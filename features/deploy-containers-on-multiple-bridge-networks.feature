# Seed document: "Deploy Containers on Multiple Bridge Networks".
# The document runs `docker create -d …` (docker create has no -d: the suite drops it, and
# says so) and then connects "web-model" to bridge-web; the container it created is named
# model, so the suite connects model. Every image is a service on port 80.
@exclusive:host-port-8080
Feature: Deploy Containers on Multiple Bridge Networks
  You can use multiple bridge networks to isolate certain types of application network
  traffic. In order for this to work, at least one of the containers needs to be on both
  networks.

  Background:
    Given I run `docker network create --internal bridge-db`
    And I run `docker network create bridge-web`
    And I run `docker run -d --name db --net bridge-db myrepo/mydatabase`
    And I run `docker create -d --name model --net bridge-db myrepo/web-model`
    And I run `docker network connect bridge-web model`
    And I run `docker start model`
    And I run `docker run -d -p 8080:80 --name view --net bridge-web myrepo/web-view`

  # Each direction is observed on its own, with a control from the same source: the source
  # reaches web-model on the network they share, so "no answer" is isolation, not a dead source.
  Scenario Outline: db and web-view cannot communicate with each other: <from> to <to>
    Then in <from>, <to>'s address on <to network> does not answer on port 80, while model's address on <from network> answers "Hello world!" on port 80

    @id:multi-bridge.db-and-view-isolated.db-to-view
    Examples:
      | from | from network | to   | to network |
      | db   | bridge-db    | view | bridge-web |

    @id:multi-bridge.db-and-view-isolated.view-to-db
    Examples:
      | from | from network | to | to network |
      | view | bridge-web   | db | bridge-db  |

  Scenario Outline: web-model can communicate with both db and web-view: model to <to>
    Then in model, `telnet <to> 80` and `GET /` answers "Hello world!" from <to>

    @id:multi-bridge.model-reaches-both.model-to-db
    Examples:
      | to |
      | db |

    @id:multi-bridge.model-reaches-both.model-to-view
    Examples:
      | to   |
      | view |

  @id:multi-bridge.view-on-public-8080
  Scenario: web-view exposes a service on port 8080 of the VCH
    Then from the public network, `telnet vch_public_interface 8080` and `GET /` answers "Hello world!" from view

  # Docker syntax does not allow for the use of multiple --net arguments for docker run or docker
  # create: each is refused (in the endpoint's words, which the transcript keeps), and the same
  # command with its first --net only, run after it, is accepted: the refusal was the second --net's.
  # A container web is left on bridge-db, or on both networks where several are accepted (@mutates).
  @mutates
  Scenario Outline: Docker syntax does not allow multiple --net arguments for docker <command>
    When I try `<tried>`
    Then it is refused, while the same command with only its first --net is accepted

    @id:multi-bridge.multiple-net-refused
    Examples:
      | command | tried                                                                      |
      | run     | docker run -d --name web --net bridge-db --net bridge-web myrepo/web-view |

    @id:multi-bridge.multiple-net-refused-create
    Examples:
      | command | tried                                                                    |
      | create  | docker create --name web --net bridge-db --net bridge-web myrepo/web-view |

  # Networks can be added to a container in its created state: model, created on bridge-db and
  # connected to bridge-web before it started, answers view (on bridge-web only) there.
  @id:multi-bridge.connect-when-created
  Scenario: A network can be added to a container in its created state
    Then in view, model's address on bridge-web answers "Hello world!" on port 80

  # Note: With VIC containers, networks can only be added to a container when it's in its
  # created state. They can't be added while the container is running.
  # Where the endpoint accepts it, db is on bridge-web afterwards: it changes what the Background built.
  @mutates
  @id:multi-bridge.connect-only-when-created
  Scenario: Networks can't be added to a container while it is running
    When I try `docker network connect bridge-web db`
    Then it is refused, naming the running state

  # Note: A container on multiple bridge networks will not get a distinct network interface
  # for each network, rather it will get multiple IP addresses on the same interface.
  @id:multi-bridge.one-interface-several-addresses
  Scenario: A container on multiple bridge networks gets multiple IP addresses on the same interface
    Then in model, `ip addr` shows its addresses on bridge-db and bridge-web on one interface
