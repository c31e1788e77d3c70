import type { Report } from '../../runbook/report';

/** What stands in for an error message a report leaves out. */
export const HIDDEN_ERROR_TEXT = '[error text hidden in shared channels]';

/**
 * The report without the error messages its checks quoted (each step's `topMessage` evidence,
 * wherever it appears: summaries, headlines, the verdict), for a channel shared with another
 * organisation when the function is marked so. Counts, trace IDs and links stay.
 */
export function withoutErrorText(report: Report): Report {
  const messages = report.steps
    .map((s) => s.evidence.topMessage)
    .filter((m): m is string => typeof m === 'string' && m.length > 0)
    .sort((a, b) => b.length - a.length);
  if (messages.length === 0) return report;
  const hide = (text: string) => messages.reduce((out, m) => out.split(m).join(HIDDEN_ERROR_TEXT), text);
  return {
    ...report,
    verdict: hide(report.verdict),
    steps: report.steps.map((s) => ({
      ...s,
      summary: hide(s.summary),
      headline: s.headline === null ? null : hide(s.headline),
      recommendation: s.recommendation === null ? null : hide(s.recommendation),
      evidence: {
        ...s.evidence,
        ...(typeof s.evidence.topMessage === 'string' ? { topMessage: HIDDEN_ERROR_TEXT } : {}),
      },
    })),
  };
}
