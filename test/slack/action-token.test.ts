import { claimFor, MAX_WHO, mayAct, signActionToken, verifyActionToken } from '../../src/slack/action-token';
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
