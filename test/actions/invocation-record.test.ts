import { requestPayloadOf, topLevelMemberText } from '../../src/actions/invocation-record';
import * as records from '../fixtures/aws/lambda-async-failures';

describe('the requestPayload of an invocation record', () => {
  it('is the original event exactly as written, numbers beyond double precision included', () => {
    // Act
    const found = requestPayloadOf(records.failureRecordBody, 'billing-events');

    // Assess
    expect(found).toEqual({ payload: records.originalEvent });
    // Parsing and writing it again would not have kept it.
    expect(JSON.stringify(JSON.parse(records.originalEvent))).not.toBe(records.originalEvent);
  });

  it('is replayed for an event that expired before it ran', () => {
    // Act
    const found = requestPayloadOf(records.expiredRecordBody, 'billing-events');

    // Assess
    expect(found).toEqual({ payload: '{"invoiceId":"inv-2292","amountCents":4500}' });
  });

  it.each([
    [
      'a record of an invocation that succeeded',
      records.successRecordBody,
      'a record of an invocation that succeeded; replaying it would process the event twice',
    ],
    ["another function's record", records.otherFunctionRecordBody, 'a record of another function (refund-events)'],
    [
      'a stream batch record',
      records.streamBatchRecordBody,
      "a record of a stream batch (KinesisBatchInfo): it points at the stream's records, it does not carry them",
    ],
    ['a raw event', records.originalEvent, 'not an invocation record (no requestContext)'],
    ['text', 'order o-7f3k2m failed', 'not JSON, so not an invocation record'],
    [
      'a record without a payload',
      '{"requestContext":{"condition":"RetriesExhausted"},"responseContext":{}}',
      'the record has no requestPayload',
    ],
  ])('has no usable payload in %s, with the reason', (_what, body, reason) => {
    // Act
    const found = requestPayloadOf(body, 'billing-events');

    // Assess
    expect(found).toEqual({ reason });
  });
});

describe('topLevelMemberText', () => {
  it('cuts out a top-level member as written, past strings holding braces, quotes and escapes', () => {
    // Prepare
    const json =
      ' { "a" : "}\\"{" , "nested":{"requestPayload":1},\n "requestPayload" :\t[ 1 , {"x":"]"} ] , "z":null }';

    // Act
    const text = topLevelMemberText(json, 'requestPayload');

    // Assess
    expect(text).toBe('[ 1 , {"x":"]"} ]');
  });

  it('takes the last of a repeated key, as JSON.parse does, and reads scalars whole', () => {
    // Act
    const repeated = topLevelMemberText('{"requestPayload":1,"requestPayload":-2.5e+3}', 'requestPayload');
    const literal = topLevelMemberText('{"requestPayload":null}', 'requestPayload');
    const missing = topLevelMemberText('{"other":true}', 'requestPayload');

    // Assess
    expect(repeated).toBe('-2.5e+3');
    expect(literal).toBe('null');
    expect(missing).toBeUndefined();
  });
});
