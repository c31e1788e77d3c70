/**
 * Lambda's invocation record, as an OnFailure destination queue receives it: a JSON document with
 * `requestContext` (requestId, functionArn, condition, approximateInvokeCount), `requestPayload`
 * (the event the function was invoked with), `responseContext` and `responsePayload`. Replaying
 * the record means invoking the function with `requestPayload` alone, exactly as it is written in
 * the record: it is cut out of the text rather than parsed and written again, so numbers beyond
 * double precision, key order and spacing reach the function unchanged.
 */

export type RecordPayload = { payload: string } | { reason: string };

/** The `requestPayload` of an invocation record of `functionName`, or why the message has none to replay. */
export function requestPayloadOf(body: string, functionName: string): RecordPayload {
  let record: unknown;
  try {
    record = JSON.parse(body);
  } catch {
    return { reason: 'not JSON, so not an invocation record' };
  }
  if (!isObject(record) || !isObject(record.requestContext)) {
    return { reason: 'not an invocation record (no requestContext)' };
  }
  const context = record.requestContext;
  if (context.condition === 'Success') {
    return { reason: 'a record of an invocation that succeeded; replaying it would process the event twice' };
  }
  const recordFunction = typeof context.functionArn === 'string' ? functionNameOf(context.functionArn) : undefined;
  if (recordFunction !== undefined && recordFunction !== functionName) {
    return { reason: `a record of another function (${recordFunction})` };
  }
  if (!('requestPayload' in record)) {
    // Stream sources (Kinesis, DynamoDB) send records that point at a batch in the stream.
    const batchInfo = Object.keys(record).find((key) => key.endsWith('BatchInfo'));
    return {
      reason: batchInfo
        ? `a record of a stream batch (${batchInfo}): it points at the stream's records, it does not carry them`
        : 'the record has no requestPayload',
    };
  }
  const payload = topLevelMemberText(body, 'requestPayload');
  // JSON.parse found the member, so the scan does too; the fallback only keeps the types honest.
  return payload === undefined ? { reason: 'the record has no requestPayload' } : { payload };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `arn:aws:lambda:…:function:orders-api:$LATEST` → `orders-api`. */
function functionNameOf(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts[2] === 'lambda' && parts[5] === 'function' ? parts[6] : undefined;
}

/**
 * The text of a member of the top-level object of `json` (valid JSON), as written. When the key
 * appears twice the last one counts, as in JSON.parse.
 */
export function topLevelMemberText(json: string, key: string): string | undefined {
  let i = skipSpace(json, 0);
  if (json[i] !== '{') return undefined;
  i = skipSpace(json, i + 1);
  let found: string | undefined;
  while (i < json.length && json[i] !== '}') {
    const keyEnd = endOfString(json, i);
    const name = JSON.parse(json.slice(i, keyEnd)) as string;
    i = skipSpace(json, keyEnd);
    i = skipSpace(json, i + 1); // the colon
    const valueEnd = endOfValue(json, i);
    if (name === key) found = json.slice(i, valueEnd);
    i = skipSpace(json, valueEnd);
    if (json[i] === ',') i = skipSpace(json, i + 1);
  }
  return found;
}

function skipSpace(json: string, i: number): number {
  while (i < json.length && (json[i] === ' ' || json[i] === '\n' || json[i] === '\r' || json[i] === '\t')) i++;
  return i;
}

/** `json[i]` opens a string; the index after its closing quote. */
function endOfString(json: string, i: number): number {
  for (let j = i + 1; j < json.length; j++) {
    if (json[j] === '\\') j++;
    else if (json[j] === '"') return j + 1;
  }
  return json.length;
}

/** `json[i]` starts a value; the index after it. */
function endOfValue(json: string, i: number): number {
  const first = json[i];
  if (first === '"') return endOfString(json, i);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let j = i; j < json.length; j++) {
      const c = json[j];
      if (c === '"') j = endOfString(json, j) - 1;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return json.length;
  }
  let j = i;
  while (j < json.length && !',}] \n\r\t'.includes(json[j] as string)) j++;
  return j;
}
