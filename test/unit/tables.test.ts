import { test } from 'node:test'
import { expect } from 'chai'
import { parseTable } from '../../support/document/tables'

/*
 * The docker CLI writes its tables with Go's tabwriter (min width 10, padding 3): a cell that
 * is followed by another one is padded, the last cell of a line is not. So a row whose last
 * cell is empty ends in the padding of the cell before it.
 */
const NETWORK_LS = [
  'NETWORK ID     NAME                               DRIVER    SCOPE',
  '3c0e4e0b6f3a   bridge                             bridge    local',
  '9d1f0c2a7b11   host                               host      local',
  'c2f1a9e0d4b7   nc-a1b2c3-beef-my-bridge-network   bridge    local',
  '51b0c8a3e2d9   nc-a1b2c3-beef-bridge-db           bridge    ',
  'e7d6c5b4a392   none                               null      local',
  '',
].join('\n')

const PS = [
  'CONTAINER ID   IMAGE                COMMAND                        CREATED              STATUS                      PORTS                                     NAMES',
  '4f1e2d3c4b5a   netconform-probe:1   "nc -ll -p 80 -e /bi…"         5 seconds ago        Up 4 seconds                0.0.0.0:8080->80/tcp, [::]:8080->80/tcp   nc-a1b2c3-beef-test1',
  '7a8b9c0d1e2f   netconform-probe:1   "sleep 86400"                  6 seconds ago        Up 5 seconds                                                          nc-a1b2c3-beef-client',
  `0b1c2d3e4f5a   netconform-probe:1   "sh -c 'echo \\"hi  there\\"'"   About a minute ago   Exited (0) 58 seconds ago                                             nc-a1b2c3-beef-once`,
  '',
].join('\n')

test('parseTable: docker network ls gives one record per network, keyed by the header', () => {
  const rows = parseTable(NETWORK_LS)
  expect(rows).to.have.length(5)
  expect(rows[0]).to.deep.equal({ 'NETWORK ID': '3c0e4e0b6f3a', NAME: 'bridge', DRIVER: 'bridge', SCOPE: 'local' })
  expect(rows[1]).to.deep.equal({ 'NETWORK ID': '9d1f0c2a7b11', NAME: 'host', DRIVER: 'host', SCOPE: 'local' })
  expect(rows[4]).to.deep.equal({ 'NETWORK ID': 'e7d6c5b4a392', NAME: 'none', DRIVER: 'null', SCOPE: 'local' })
})

test('parseTable: a column name with a space in it ("NETWORK ID") is one column', () => {
  const rows = parseTable(NETWORK_LS)
  expect(Object.keys(rows[0])).to.deep.equal(['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'])
})

test('parseTable: names with hyphens are kept whole', () => {
  const rows = parseTable(NETWORK_LS)
  expect(rows.map((r) => r.NAME)).to.deep.equal([
    'bridge',
    'host',
    'nc-a1b2c3-beef-my-bridge-network',
    'nc-a1b2c3-beef-bridge-db',
    'none',
  ])
  expect(rows.find((r) => r.NAME === 'nc-a1b2c3-beef-my-bridge-network')?.DRIVER).to.equal('bridge')
})

test('parseTable: a row whose last cell (SCOPE) is empty gives an empty string, padded or not', () => {
  const padded = parseTable(NETWORK_LS)[3]
  expect(padded).to.deep.equal({
    'NETWORK ID': '51b0c8a3e2d9',
    NAME: 'nc-a1b2c3-beef-bridge-db',
    DRIVER: 'bridge',
    SCOPE: '',
  })
  const trimmed = parseTable(
    NETWORK_LS.split('\n')
      .map((l) => l.trimEnd())
      .join('\n'),
  )[3]
  expect(trimmed).to.deep.equal(padded)
})

test('parseTable: docker ps COMMAND cells keep their spaces and quotes, even two spaces in a row', () => {
  const rows = parseTable(PS)
  expect(rows).to.have.length(3)
  expect(Object.keys(rows[0])).to.deep.equal([
    'CONTAINER ID',
    'IMAGE',
    'COMMAND',
    'CREATED',
    'STATUS',
    'PORTS',
    'NAMES',
  ])
  expect(rows[0]).to.deep.equal({
    'CONTAINER ID': '4f1e2d3c4b5a',
    IMAGE: 'netconform-probe:1',
    COMMAND: '"nc -ll -p 80 -e /bi…"',
    CREATED: '5 seconds ago',
    STATUS: 'Up 4 seconds',
    PORTS: '0.0.0.0:8080->80/tcp, [::]:8080->80/tcp',
    NAMES: 'nc-a1b2c3-beef-test1',
  })
  expect(rows[1].COMMAND).to.equal('"sleep 86400"')
  expect(rows[2].COMMAND).to.equal(`"sh -c 'echo \\"hi  there\\"'"`)
  expect(rows[2].STATUS).to.equal('Exited (0) 58 seconds ago')
})

test('parseTable: an empty cell in the middle of a row (PORTS) is an empty string', () => {
  const rows = parseTable(PS)
  expect(rows[1].PORTS).to.equal('')
  expect(rows[1].NAMES).to.equal('nc-a1b2c3-beef-client')
  expect(rows[2].PORTS).to.equal('')
  expect(rows[2].NAMES).to.equal('nc-a1b2c3-beef-once')
})

test('parseTable: CRLF line ends and blank lines are ignored', () => {
  const rows = parseTable(`\r\n${NETWORK_LS.split('\n').join('\r\n')}\r\n\r\n`)
  expect(rows).to.deep.equal(parseTable(NETWORK_LS))
})

test('parseTable: a header with no rows gives no records', () => {
  expect(parseTable('NETWORK ID     NAME      DRIVER    SCOPE\n')).to.deep.equal([])
})

test('parseTable: empty input gives no records', () => {
  expect(parseTable('')).to.deep.equal([])
  expect(parseTable('\n')).to.deep.equal([])
  expect(parseTable('   \n  \n')).to.deep.equal([])
})
