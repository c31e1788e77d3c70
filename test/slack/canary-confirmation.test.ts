import { randomUUID } from 'node:crypto';
import type { ActionClaim } from '../../src/slack/action-token';
import { claimSentence } from '../../src/slack/render/modals';

/** The confirmation of a rollback says what will happen to the alias, canary or not. */
function rollbackClaim(params: ActionClaim['params']): ActionClaim {
  return {
    v: 1,
    id: randomUUID(),
    kind: 'rollback',
    fn: 'pricing-api',
    alias: 'live',
    params,
    channel: 'C0ONCALL',
    exp: Math.floor(Date.now() / 1000) + 600,
  } as ActionClaim;
}

describe('the rollback confirmation', () => {
  it('during a canary: keep the stable version, take the canary share off', () => {
    // Act
    const sentence = claimSentence(rollbackClaim({ fromVersion: '13', toVersion: '12', canaryWeight: 0.1 }));

    // Assess
    expect(sentence).toMatch(
      /^Stop the canary on alias \*live\* of \*pricing-api\*: keep v12 and take the 10% on v13 off\./,
    );
    expect(sentence).not.toMatch(/Move alias/);
  });

  it('without a canary: move the alias back', () => {
    // Act
    const sentence = claimSentence(rollbackClaim({ fromVersion: '13', toVersion: '12' }));

    // Assess
    expect(sentence).toMatch(/^Move alias \*live\* of \*pricing-api\* from v13 to v12\./);
  });
});
