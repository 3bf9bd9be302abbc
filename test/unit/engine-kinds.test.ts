/** The engine kinds' quirks (support/engine/kind.ts): each kind's words for a host port that is taken. */
import { test } from 'node:test'
import { expect } from 'chai'
import { DOCKER } from '../../support/engine/docker'
import { PODMAN } from '../../support/engine/podman'
import { portTaken } from '../../support/engine/kinds'

test("portTaken: Docker's allocator and its proxy's bind, Podman's bind; any other failure is not a taken port", () => {
  const docker =
    'docker: Error response from daemon: driver failed programming external connectivity on endpoint x: ' +
    'Bind for 0.0.0.0:8080 failed: port is already allocated.'
  const bind = 'rootlessport listen tcp 0.0.0.0:8080: bind: address already in use'
  expect(DOCKER.portTaken(docker)).to.equal(true)
  expect(DOCKER.portTaken(bind)).to.equal(true)
  expect(PODMAN.portTaken(bind)).to.equal(true)
  expect(PODMAN.portTaken(docker)).to.equal(false)
  expect(portTaken(docker) && portTaken(bind)).to.equal(true)
  expect(portTaken('GET / from web: no answer within 5 s')).to.equal(false)
})
