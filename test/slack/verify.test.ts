import { signSlackRequest, verifySlackSignature } from '../../src/slack/verify';

// Slack's documented example (api.slack.com "Verifying requests from Slack").
const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const timestamp = 1531420618;
const body =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const documented = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

describe('Slack signature', () => {
  it("signs Slack's documented example to the documented signature", () => {
    expect(signSlackRequest(secret, timestamp, body)).toBe(documented);
  });

  it('accepts the documented example at its own time and refuses it five minutes and a second later', () => {
    const input = {
      signingSecret: secret,
      signature: documented,
      timestamp: String(timestamp),
      rawBody: Buffer.from(body),
    };
    expect(verifySlackSignature({ ...input, nowSeconds: timestamp + 10 })).toBeUndefined();
    expect(verifySlackSignature({ ...input, nowSeconds: timestamp + 301 })).toBe('stale-timestamp');
    expect(verifySlackSignature({ ...input, nowSeconds: timestamp - 301 })).toBe('stale-timestamp');
  });

  it('refuses a valid signature over a different body, and malformed headers', () => {
    const base = { signingSecret: secret, timestamp: String(timestamp), nowSeconds: timestamp };
    expect(verifySlackSignature({ ...base, signature: documented, rawBody: Buffer.from(`${body}&x=1`) })).toBe(
      'bad-signature',
    );
    expect(verifySlackSignature({ ...base, signature: 'v0=zz', rawBody: Buffer.from(body) })).toBe('bad-signature');
    expect(verifySlackSignature({ ...base, signature: undefined, rawBody: Buffer.from(body) })).toBe(
      'missing-signature',
    );
    expect(verifySlackSignature({ ...base, timestamp: '1e9', signature: documented, rawBody: Buffer.from(body) })).toBe(
      'bad-timestamp',
    );
  });
});
