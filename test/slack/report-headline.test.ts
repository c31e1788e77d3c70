import type { StepStatus } from '../../src/checks/types';
import type { Report, StepReport } from '../../src/runbook/report';
import { reportHeadline } from '../../src/slack/render/report';

function step(id: string, status: StepStatus, informational = false): StepReport {
  return {
    id,
    title: id,
    status,
    summary: `${id} summary`,
    evidence: {},
    recommendation: null,
    actions: [],
    links: [],
    reason: status === 'unknown' ? 'AccessDenied' : null,
    informational,
    headline: null,
  };
}

/** The headline reads only the function, the status, the primary cause and the steps. */
function report(statuses: StepStatus[]): Pick<Report, 'function' | 'status' | 'primaryCause' | 'steps'> {
  return {
    function: 'orders-api',
    status: 'ok',
    primaryCause: null,
    steps: [...statuses.map((s, i) => step(`step-${i}`, s)), step('profile', 'ok', true)],
  };
}

describe('the Slack headline of a report without a problem', () => {
  it('says healthy only when every check ran', () => {
    expect(reportHeadline(report(['ok', 'ok', 'ok']))).toBe('🟢 orders-api looks healthy');
  });

  it('counts the checks that could not run, and stops looking green when half or more could not', () => {
    expect(reportHeadline(report(['ok', 'ok', 'ok', 'unknown']))).toBe(
      '🟢 orders-api: no problem found, 1 of 4 checks could not run',
    );
    expect(reportHeadline(report(['ok', 'unknown', 'unknown', 'unknown']))).toBe(
      '⚪ orders-api: no problem found, 3 of 4 checks could not run',
    );
  });
});
