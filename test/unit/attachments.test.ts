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
  expect(recordOf({ mediaType: RECORD_MEDIA_TYPE, body, contentEncoding: AttachmentContentEncoding.BASE64 })).to.deep.equal(RECORDS[1])
})

test('recordOf: free text, another media type or a malformed record is no record', () => {
  expect(recordOf({ mediaType: 'text/plain', body: 'not-applicable: target docker offers no DHCP network' })).to.equal(undefined)
  expect(recordOf({ mediaType: 'application/json', body: JSON.stringify(RECORDS[0]) })).to.equal(undefined)
  for (const body of ['{', '"x"', '{"kind":"not-applicable","reason":"no field"}', '{"kind":"other","reason":"r"}', '{"kind":"not-run"}']) {
    expect(recordOf({ mediaType: RECORD_MEDIA_TYPE, body }), body).to.equal(undefined)
  }
})
