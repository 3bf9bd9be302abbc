/** Typed transcript records: written with cucumber's attach, read back from the message stream. */
import { test } from 'node:test'
import { expect } from 'chai'
import { AttachmentContentEncoding } from '@cucumber/messages'
import { attachRecord, type NetconformRecord, RECORD_MEDIA_TYPE, recordOf } from '../../support/records'

const RECORDS: NetconformRecord[] = [
  { kind: 'not-applicable', reason: 'target docker offers no DHCP network', field: 'offers.dhcpNetwork' },
  { kind: 'not-run', reason: 'interrupted by SIGINT' },
  { kind: 'endpoint-lost', reason: 'endpoint unix:///var/run/docker.sock stopped answering after 12 s' },
]

test('attachRecord writes one JSON record under the record media type, and recordOf reads it back', () => {
  for (const record of RECORDS) {
    const attached: { body: string; mediaType: string }[] = []
    attachRecord((body, mediaType) => attached.push({ body, mediaType }), record)
    expect(attached).to.have.length(1)
    expect(attached[0].mediaType).to.equal(RECORD_MEDIA_TYPE)
    expect(recordOf(attached[0])).to.deep.equal(record)
  }
})

test('recordOf reads a base64-encoded record', () => {
  const body = Buffer.from(JSON.stringify(RECORDS[1])).toString('base64')
  expect(
    recordOf({ mediaType: RECORD_MEDIA_TYPE, body, contentEncoding: AttachmentContentEncoding.BASE64 }),
  ).to.deep.equal(RECORDS[1])
})

test('recordOf: free text, another media type or a malformed record is no record', () => {
  expect(recordOf({ mediaType: 'text/plain', body: 'not-applicable: target docker offers no DHCP network' })).to.equal(
    undefined,
  )
  expect(recordOf({ mediaType: 'application/json', body: JSON.stringify(RECORDS[0]) })).to.equal(undefined)
  for (const body of [
    '{',
    '"x"',
    '{"kind":"not-applicable","reason":"no field"}',
    '{"kind":"other","reason":"r"}',
    '{"kind":"not-run"}',
  ]) {
    expect(recordOf({ mediaType: RECORD_MEDIA_TYPE, body }), body).to.equal(undefined)
  }
})

test('transcripts carry a record tools read: command, exec, probe; the record survives the message stream', () => {
  const { describeExec, describeTcp } =
    require('../../support/engine/probes') as typeof import('../../support/engine/probes')
  const { describeCommand } =
    require('../../support/engine/docker-cli') as typeof import('../../support/engine/docker-cli')
  const exec = describeExec({
    container: 'nc-1-a-db',
    command: 'ip addr',
    stdout: 'x',
    stderr: '',
    exitCode: 0,
    durationMs: 5,
  })
  expect(exec.text).to.match(/^\[in nc-1-a-db\] \$ ip addr/)
  expect(exec.record).to.deep.include({ kind: 'exec', container: 'nc-1-a-db', command: 'ip addr', exitCode: 0 })
  const tcp = describeTcp({
    address: '198.51.100.1',
    port: 80,
    sent: 'GET /\r\n',
    received: '',
    error: 'connect ECONNREFUSED 198.51.100.1:80',
    durationMs: 1,
  })
  expect(tcp.record).to.deep.include({ kind: 'probe', from: 'this host', target: '198.51.100.1:80' })
  const cmd = describeCommand({
    documented: 'docker ps',
    argv: ['ps'],
    notes: [],
    stdout: '',
    stderr: '',
    exitCode: 0,
    durationMs: 3,
    timedOut: false,
    deadlineMs: 60_000,
  })
  expect(cmd.record).to.deep.include({ kind: 'command', documented: 'docker ps', argv: ['ps'], exitCode: 0 })
  for (const record of [
    exec.record,
    tcp.record,
    cmd.record,
    { kind: 'poll', awaited: 'x', attempts: 3, ok: false } as NetconformRecord,
  ]) {
    expect(recordOf({ mediaType: RECORD_MEDIA_TYPE, body: JSON.stringify(record) })).to.deep.equal(record)
  }
})
