import { createHmac, hkdfSync } from 'node:crypto';
import {
  buttonValue,
  claimFor,
  MAX_WHO,
  mayAct,
  signActionToken,
  verifyActionToken,
} from '../../src/slack/action-token';
import type { OfferedAction } from '../../src/runbook/report';

const SECRET = 'test-signing-secret';
const rollback: OfferedAction = {
  kind: 'rollback',
  label: 'Roll back v42 → v41',
  command: 'gofn rollback orders-api',
  stepId: 'recent-deploy',
  params: { function: 'orders-api', alias: 'live', fromVersion: '42', toVersion: '41' },
};

function made(who: string[]) {
  const claim = claimFor(rollback, 'C0ONCALL', 1_700_000_000, 600, who);
  const verified = verifyActionToken(SECRET, signActionToken(SECRET, claim), {
    channel: 'C0ONCALL',
    nowSeconds: 1_700_000_000,
  });
  if (!('claim' in verified)) throw new Error(`the button did not verify: ${verified.problem}`);
  return verified.claim;
}

describe('who a button names', () => {
  it('names the admins and owners once each, and tells who may act at the click', () => {
    const claim = made(['U0ADMIN', 'U0OWNER', 'U0ADMIN']);
    expect(claim.who).toEqual(['U0ADMIN', 'U0OWNER']);
    expect([mayAct(claim, 'U0OWNER'), mayAct(claim, 'U0MALLORY')]).toEqual(['yes', 'no']);
  });

  it('leaves a user group to the worker', () => {
    expect(mayAct(made(['U0ADMIN', 'S0ONCALL']), 'U0MALLORY')).toBe('maybe');
  });

  it.each([
    ['an ID longer than a button carries', ['U0ADMIN', `S${'X'.repeat(40)}`]],
    ['more IDs than a button carries', Array.from({ length: MAX_WHO + 1 }, (_, i) => `U0${i}ABC`)],
  ])('leaves the list out, not the button broken, for %s', (_, who) => {
    const claim = made(who);
    expect(claim.who).toBeUndefined();
    expect(mayAct(claim, 'U0MALLORY')).toBe('maybe');
  });
});

describe('signing-secret rotation', () => {
  const OLD = 'the-signing-secret-before-rotation';
  const NEW = 'the-signing-secret-after-rotation0';
  const now = 1_700_000_000;
  const claim = claimFor(rollback, 'C0ONCALL', now, 7200);
  const context = { channel: 'C0ONCALL', nowSeconds: now + 60 };

  it('names the key that signed a button, revealing nothing of it', () => {
    // Act
    const token = signActionToken(OLD, claim);

    // Assess
    const [keyId] = token.split('.');
    expect(keyId).toMatch(/^k[A-Za-z0-9_-]{8}$/);
    expect(signActionToken(NEW, claim).split('.')[0]).not.toBe(keyId);
    expect(token).not.toContain(OLD);
  });

  it('keeps buttons signed with the previous secret working until the grace window ends, then refuses them', () => {
    // Prepare
    const before = signActionToken(OLD, claim);
    const keys = { current: NEW, previous: OLD, previousUntil: now + 3600 };

    // Act
    const inWindow = verifyActionToken(keys, before, context);
    const afterWindow = verifyActionToken(keys, before, { ...context, nowSeconds: now + 3601 });
    const withoutPrevious = verifyActionToken(NEW, before, context);
    const fresh = verifyActionToken(keys, signActionToken(NEW, claim), context);

    // Assess
    expect('claim' in inWindow && inWindow.claim.id).toBe(claim.id);
    expect(afterWindow).toEqual({ problem: 'bad-signature' });
    expect(withoutPrevious).toEqual({ problem: 'bad-signature' });
    expect('claim' in fresh).toBe(true);
  });

  it('still accepts a button made before tokens named their key (claim.mac), with either key', () => {
    // Prepare: the earlier format, a MAC over the claim alone with the same derived key
    const [, body] = signActionToken(OLD, claim).split('.') as [string, string, string];
    const key = Buffer.from(hkdfSync('sha256', OLD, 'gofn', 'action-token/v1', 32));
    const legacy = `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;

    // Act
    const current = verifyActionToken(OLD, legacy, context);
    const rotated = verifyActionToken({ current: NEW, previous: OLD, previousUntil: now + 3600 }, legacy, context);
    const forged = verifyActionToken(NEW, legacy, context);

    // Assess
    expect('claim' in current && 'claim' in rotated).toBe(true);
    expect(forged).toEqual({ problem: 'bad-signature' });
  });
});

describe('button sizes', () => {
  it("stays within Slack's 2,000 characters at the maximum of every field, leaving the decision to the worker", () => {
    // Prepare: the longest function, alias and parameters a claim allows, and 30 of the longest IDs
    const who = Array.from({ length: MAX_WHO }, (_, i) => `${i % 3 === 0 ? 'S' : 'U'}${String(i).padStart(31, 'Z')}`);
    const claim = {
      ...claimFor(rollback, 'C'.padEnd(32, '9'), 1_700_000_000, 7200, who),
      fn: `arn:aws:lambda:us-east-1:123456789012:function:${'f'.repeat(64)}:${'q'.repeat(40)}`.slice(0, 170),
      alias: 'a'.repeat(128),
      params: {
        ['p'.repeat(32)]: 'v'.repeat(256),
        ['r'.repeat(32)]: 'w'.repeat(256),
        ['s'.repeat(32)]: 'x'.repeat(256),
      },
    };

    // Act
    const value = buttonValue(SECRET, claim);
    const verified = verifyActionToken(SECRET, value, { channel: claim.channel, nowSeconds: 1_700_000_000 });

    // Assess
    expect(value.length).toBeLessThanOrEqual(2000);
    if (!('claim' in verified)) throw new Error(verified.problem);
    expect(verified.claim.params).toEqual(claim.params);
    // Past what even digests fit, the list is left out: the click shows the plan, the worker authorizes.
    expect([mayAct(verified.claim, who[1]!), mayAct(verified.claim, 'U0MALLORY')]).toEqual(['maybe', 'maybe']);
  });

  it('names who may act at the largest claim gofn makes: a 64-character function, a 128-character alias, 30 of the longest IDs', () => {
    // Prepare
    const who = Array.from({ length: MAX_WHO }, (_, i) => `U${String(i).padStart(31, 'Z')}`);
    const claim = {
      ...claimFor(rollback, 'C'.padEnd(32, '9'), 1_700_000_000, 7200, who),
      fn: 'f'.repeat(64),
      alias: 'a'.repeat(128),
      params: { fromVersion: '4294967295', toVersion: '4294967294' },
    };

    // Act
    const value = buttonValue(SECRET, claim);
    const verified = verifyActionToken(SECRET, value, { channel: claim.channel, nowSeconds: 1_700_000_000 });

    // Assess
    expect(value.length).toBeLessThanOrEqual(2000);
    if (!('claim' in verified)) throw new Error(verified.problem);
    expect([mayAct(verified.claim, who[7]!), mayAct(verified.claim, 'U0MALLORY')]).toEqual(['yes', 'no']);
  });

  it('carries the IDs themselves when they fit, digests when they do not, and nothing only past that', () => {
    // Prepare
    const few = claimFor(rollback, 'C0ONCALL', 1_700_000_000, 600, ['U0ADMIN', 'U0OWNER']);
    const many = {
      ...claimFor(
        rollback,
        'C0ONCALL',
        1_700_000_000,
        600,
        Array.from({ length: MAX_WHO }, (_, i) => `U${String(i).padStart(31, '7')}`),
      ),
      fn: `arn:aws:lambda:us-east-1:123456789012:function:${'f'.repeat(64)}`,
      alias: 'a'.repeat(128),
    };
    const read = (value: string) => {
      const v = verifyActionToken(SECRET, value, { channel: 'C0ONCALL', nowSeconds: 1_700_000_000 });
      if (!('claim' in v)) throw new Error(v.problem);
      return v.claim;
    };

    // Act
    const small = read(buttonValue(SECRET, few));
    const large = read(buttonValue(SECRET, many));

    // Assess
    expect(small.who).toEqual(['U0ADMIN', 'U0OWNER']);
    expect(large.who).toBeUndefined();
    expect(large.whoDigest).toHaveLength(MAX_WHO);
    expect([mayAct(large, many.who![5]!), mayAct(large, 'U0MALLORY')]).toEqual(['yes', 'no']);
  });
});
