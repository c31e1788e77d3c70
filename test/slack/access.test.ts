import { loadRunbook } from '../../src/runbook/loader';
import type { Runbook } from '../../src/runbook/schema';
import type { AccessSettings } from '../../src/slack/access';
import { fakeSources, type FakeData } from '../support/fake-sources';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack';
import { testWorker } from '../support/test-worker';

/**
 * Who may look: a report carries production error messages and request IDs. The user and
 * channel objects below are shaped as Slack's users.info and conversations.info return them
 * (api.slack.com/types/user: is_restricted, is_ultra_restricted, is_stranger, team_id,
 * enterprise_user; api.slack.com/types/conversation: is_ext_shared).
 */
let slack: FakeSlack;
let runbook: Runbook;
beforeAll(async () => {
  [slack, runbook] = await Promise.all([startFakeSlack(), loadRunbook()]);
});
afterAll(() => slack.close());
beforeEach(() => slack.reset());

const SECRET_ERROR = 'pq: password authentication failed for user "orders" at db-prod-7.internal';

function setup(access: AccessSettings = {}, data: Partial<FakeData> = {}) {
  return testWorker(slack.apiUrl, {
    sources: fakeSources({
      current: { invocations: 10_000, errors: 900, throttles: 0 },
      errorTraces: {
        tracesWithFault: 40,
        topMessages: [{ message: SECRET_ERROR, count: 37 }],
        samples: [],
      },
      ...data,
    }),
    runbook,
    settings: { admins: ['U0ADMIN'], access },
  });
}

let seq = 0;
function status(user: string, channel = 'C0ONCALL') {
  seq += 1;
  return {
    kind: 'status' as const,
    id: `t-access-${seq}`,
    functionName: 'orders-api',
    window: '1h',
    alias: 'live',
    responseUrl: slack.responseUrl(`r${seq}`),
    channel,
    user,
  };
}

const answered = () => slack.responses.map((r) => String(r.body.text));
const reports = () => slack.callsOf('chat.postMessage');

describe('who may look', () => {
  it.each([
    ['a multi-channel guest', { is_restricted: true }],
    ['a single-channel guest', { is_restricted: true, is_ultra_restricted: true }],
  ])('refuses %s by default, without diagnosing', async (_who, flags) => {
    // Prepare
    slack.users.set('U0GUEST', flags);
    const worker = setup();

    // Act
    await worker.runJob(status('U0GUEST'));

    // Assess
    expect(reports()).toEqual([]);
    expect(answered()).toEqual([
      expect.stringMatching(/^Guests can't run gofn: its reports carry production error messages/),
    ]);
  });

  it.each([
    ['is_stranger', { is_stranger: true, team_id: 'T0OTHER' }],
    ['a team that is not ours', { team_id: 'T0OTHER' }],
    ['another Enterprise Grid organisation', { team_id: 'T0OTHER', enterprise_user: { enterprise_id: 'E0OTHER' } }],
  ])('refuses someone from another organisation (%s)', async (_how, user) => {
    // Prepare
    slack.users.set('U0PARTNER', user);
    const worker = setup();

    // Act
    await worker.runJob(status('U0PARTNER'));

    // Assess
    expect(reports()).toEqual([]);
    expect(answered()).toEqual([expect.stringMatching(/^gofn answers only members of the organisation that runs it/)]);
  });

  it('lets guests and other organisations in when configured to', async () => {
    // Prepare
    slack.users.set('U0GUEST', { is_restricted: true });
    slack.users.set('U0PARTNER', { is_stranger: true, team_id: 'T0OTHER' });
    const worker = setup({ allowGuests: true, allowExternal: true });

    // Act
    await worker.runJob(status('U0GUEST'));
    await worker.runJob(status('U0PARTNER'));

    // Assess
    expect(reports()).toHaveLength(2);
  });

  it('answers only in allowed channels, and only to members of allowed user groups (or admins)', async () => {
    // Prepare
    slack.userGroups.set('S0ONCALL', ['U0MARIA']);
    const worker = setup({ allowedChannels: ['C0ONCALL'], allowedGroups: ['S0ONCALL'] });

    // Act
    await worker.runJob(status('U0MARIA', 'C0RANDOM'));
    await worker.runJob(status('U0BOB'));
    await worker.runJob(status('U0MARIA'));
    await worker.runJob(status('U0ADMIN'));

    // Assess
    expect(answered()).toEqual([
      'gofn does not answer in this channel; ask in one of the channels your team set up for it.',
      'Only members of <!subteam^S0ONCALL> may run gofn here.',
    ]);
    expect(reports()).toHaveLength(2);
  });

  it('refuses when Slack cannot say who is asking, naming the scope to add', async () => {
    // Prepare
    slack.injectFaults('users.info', [{ error: 'missing_scope', needed: 'users:read' }]);
    const worker = setup();

    // Act
    await worker.runJob(status('U0MARIA'));

    // Assess
    expect(reports()).toEqual([]);
    expect(answered()).toEqual([
      "gofn could not check who you are: gofn's Slack app lacks `users:read`: reinstall it from slack-app-manifest.yaml.",
    ]);
  });

  it('leaves error message text out in a shared channel when the function is marked, and keeps it elsewhere', async () => {
    // Prepare
    slack.channels.set('C0SHARED', { is_ext_shared: true, is_shared: true });
    const marked = { fn: { tags: { 'gofn:managed': 'true', 'gofn:hide-errors-in-shared-channels': 'true' } } };
    const worker = setup({}, marked);

    // Act
    await worker.runJob(status('U0MARIA', 'C0SHARED'));
    await worker.runJob(status('U0MARIA', 'C0ONCALL'));
    await setup().runJob(status('U0MARIA', 'C0SHARED'));

    // Assess
    const [shared, internal, unmarked] = reports().map((r) => JSON.stringify(r.args));
    expect(shared).not.toContain('password authentication failed');
    expect(shared).toContain('[error text hidden in shared channels]');
    expect(shared).toContain('37');
    expect(internal).toContain('password authentication failed');
    expect(unmarked).toContain('password authentication failed');
  });
});
