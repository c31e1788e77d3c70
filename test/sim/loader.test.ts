import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, GofnError } from '../../src/errors';
import {
  defaultScenarioDir,
  listScenarioFiles,
  loadScenarioFiles,
  loadScenarioTexts,
  packageRootAbove,
} from '../../src/sim/loader';
import { functionText, loadTexts, NOW, ScratchDir, scenarioText } from './helpers';

describe('merging scenario files into one fleet', () => {
  it('merges every shipped scenario into one fleet with distinct functions', async () => {
    // Prepare
    const files = await listScenarioFiles();

    // Act
    const fleet = await loadScenarioFiles(files, { now: NOW });

    // Assess
    expect(files.map((f) => path.basename(f))).toEqual([
      'alias-bound-sqs.yaml',
      'bad-deploy.yaml',
      'canary.yaml',
      'cold-start-storm.yaml',
      'dlq-backlog.yaml',
      'errors-before-deploy.yaml',
      'healthy.yaml',
      'json-logs.yaml',
      'no-traffic.yaml',
      'onfailure-destination.yaml',
      'passthrough-tracing.yaml',
      'slow-dynamodb.yaml',
      'throttling.yaml',
    ]);
    expect(fleet.functionNames()).toEqual([
      'audit-api',
      'billing-events',
      'catalog-api',
      'inventory-api',
      'ledger-api',
      'orders-api',
      'orders-worker',
      'payments-api',
      'payouts-worker',
      'pricing-api',
      'profile-api',
      'quotes-api',
      'reports-worker',
      'search-api',
    ]);
    expect(fleet.region).toBe('us-east-1');
    expect(fleet.accountId).toBe('123456789012');
    for (const name of fleet.functionNames()) {
      expect(fleet.findFunction(name)?.tags).toMatchObject({ 'gofn:managed': 'true', env: 'prod' });
    }
  });

  it('names both files when two declare the same function', async () => {
    // Prepare
    const scratch = new ScratchDir();
    const first = scratch.write('first.yaml', scenarioText({ name: 'first' }));
    const second = scratch.write(
      'second.yaml',
      scenarioText({ name: 'second', functions: `${functionText({ name: 'fn-b' })}\n${functionText()}` }),
    );

    // Act
    const error = await loadScenarioFiles([first, second], { now: NOW }).catch((e: unknown) => e);
    scratch.cleanup();

    // Assess
    expect(error).toBeInstanceOf(GofnError);
    expect((error as GofnError).code).toBe(ErrorCode.InvalidFile);
    expect((error as GofnError).message).toBe(
      `Function fn-a is declared in both ${first} (functions[0]) and ${second} (functions[1]).`,
    );
  });

  it('rejects a queue declared by two functions', async () => {
    // Prepare
    const dlq = '    deadLetter: { queue: shared-dlq }';
    const text = scenarioText({
      functions: `${functionText({ extra: dlq })}\n${functionText({ name: 'fn-b', extra: dlq })}`,
    });

    // Act
    const error = await loadTexts([text]).catch((e: unknown) => e);

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.InvalidFile);
    expect((error as GofnError).message).toMatch(
      /^Queue shared-dlq is declared twice in .*scenario-0\.yaml \(functions\[0\]\.deadLetter and functions\[1\]\.deadLetter\)\.$/,
    );
  });

  it('takes account settings from the file that sets them and rejects files that disagree', async () => {
    // Prepare
    const west = scenarioText({ name: 'west', header: 'region: eu-west-1' });
    const silent = scenarioText({ name: 'silent', functions: functionText({ name: 'fn-b' }) });
    const east = scenarioText({ name: 'east', header: 'region: us-east-2', functions: functionText({ name: 'fn-c' }) });

    // Act
    const merged = await loadTexts([west, silent]);
    const error = await loadTexts([west, east]).catch((e: unknown) => e);

    // Assess
    expect(merged.region).toBe('eu-west-1');
    expect(merged.findFunction('fn-b')?.arn).toBe('arn:aws:lambda:eu-west-1:123456789012:function:fn-b');
    expect((error as GofnError).code).toBe(ErrorCode.InvalidFile);
    expect((error as GofnError).message).toMatch(/disagree on region: eu-west-1 and us-east-2\.$/);
  });

  it('rejects reservations that leave the account less than 100 unreserved', async () => {
    // Prepare
    const text = scenarioText({
      header: 'accountConcurrencyLimit: 500',
      functions: functionText({ extra: '    reservedConcurrency: 450' }),
    });

    // Act
    const error = await loadTexts([text]).catch((e: unknown) => e);

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.InvalidFile);
    expect((error as GofnError).message).toContain("reserve 450 of the account's concurrency limit of 500");
  });

  it('rejects an empty list of files as bad input', async () => {
    // Act
    const error = await loadScenarioFiles([]).catch((e: unknown) => e);

    // Assess
    expect((error as GofnError).code).toBe(ErrorCode.InvalidInput);
  });
});

describe('defaultScenarioDir', () => {
  it('finds runbooks/scenarios of the repository from the source tree', () => {
    // Act
    const dir = defaultScenarioDir();

    // Assess
    expect(dir.endsWith(path.join('runbooks', 'scenarios'))).toBe(true);
    expect(existsSync(path.join(dir, '..', '..', 'package.json'))).toBe(true);
  });

  it('finds the same package root from the compiled location', () => {
    // Prepare
    const root = path.resolve(defaultScenarioDir(), '..', '..');

    // Act
    const fromDist = packageRootAbove(path.join(root, 'dist', 'sim'));
    const fromSrc = packageRootAbove(path.join(root, 'src', 'sim'));

    // Assess
    expect(fromDist).toBe(root);
    expect(fromSrc).toBe(root);
  });
});

describe('docs/scenarios.md', () => {
  it('shows an example that loads', () => {
    // Prepare
    const root = packageRootAbove(defaultScenarioDir());
    const markdown = readFileSync(path.join(root, 'docs', 'scenarios.md'), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(markdown)?.[1] ?? '';

    // Act
    const fleet = loadScenarioTexts([{ file: 'docs example', text: example }], { now: NOW });

    // Assess
    expect(fleet.findFunction('orders-api')?.faults).toEqual({ traces: 'AccessDenied' });
  });
});
