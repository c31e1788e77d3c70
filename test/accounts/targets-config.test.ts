import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configSchema } from '../../src/config';
import { ErrorCode, GofnError } from '../../src/errors';
import {
  loadTargets,
  parseFunctionRef,
  parseTargets,
  qualifiedName,
  targetLabel,
  targetsOf,
  type TargetsConfig,
} from '../../src/targets';

const prod = {
  name: 'prod',
  id: '111122223333',
  roleArn: 'arn:aws:iam::111122223333:role/gofn-member',
  externalId: 'gofn-7f3a9c',
};
const home = { name: 'tools', id: '444455556666' };

function problemOf(json: unknown): string {
  try {
    parseTargets(json, 'GOFN_TARGETS');
  } catch (error) {
    expect(error).toBeInstanceOf(GofnError);
    return (error as GofnError).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('the targets configuration', () => {
  it('lists every account × region, an account’s own regions replacing the shared list', () => {
    // Prepare
    const config = parseTargets(
      {
        accounts: [prod, { ...home, regions: ['eu-west-1'] }],
        regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
      },
      'GOFN_TARGETS',
    );

    // Act
    const targets = targetsOf(config);

    // Assess
    expect(targets.map(targetLabel)).toEqual([
      'prod/us-east-1',
      'prod/eu-west-1',
      'prod/ap-southeast-2',
      'tools/eu-west-1',
    ]);
    expect(targets[0]).toEqual({ account: 'prod', accountId: '111122223333', region: 'us-east-1' });
    expect(qualifiedName(targets[1]!, 'orders-api')).toBe('prod/eu-west-1/orders-api');
  });

  it.each([
    [
      { accounts: [{ ...prod, roleArn: 'arn:aws:iam::999999999999:role/gofn-member' }], regions: ['us-east-1'] },
      'accounts[0].roleArn: the role is in account 999999999999, not 111122223333',
    ],
    [
      { accounts: [{ ...prod, externalId: undefined }], regions: ['us-east-1'] },
      'accounts[0].externalId: required with roleArn',
    ],
    [
      { accounts: [{ ...home, externalId: 'abc' }], regions: ['us-east-1'] },
      'accounts[0].externalId: only means something with roleArn',
    ],
    [
      {
        accounts: [prod, { ...prod, id: '777788889999', roleArn: 'arn:aws:iam::777788889999:role/r' }],
        regions: ['us-east-1'],
      },
      'accounts[1]: prod is also accounts[0]',
    ],
    [
      { accounts: [home, { ...home, name: 'other', id: '777788889999' }], regions: ['us-east-1'] },
      'only one account can be reached without a role',
    ],
    [{ accounts: [prod], regions: ['us-east'] }, 'regions[0]: expected an AWS region like eu-west-1'],
    [
      { accounts: [{ ...prod, name: '1234' }], regions: ['us-east-1'] },
      'accounts[0].name: expected a short lower-case name',
    ],
    [
      { accounts: [{ ...prod, externalId: 'has space' }], regions: ['us-east-1'] },
      'accounts[0].externalId: expected 2 to 1224',
    ],
    [{ accounts: [prod], regions: ['us-east-1'], region: 'x' }, 'Unrecognized key'],
    [{ accounts: [], regions: ['us-east-1'] }, 'accounts'],
  ])('refuses a mistake with its field: %#', (json, expected) => {
    // Act
    const problem = problemOf(json);

    // Assess
    expect(problem).toContain(expected);
    expect(problem.startsWith('GOFN_TARGETS')).toBe(true);
  });

  it('is read from GOFN_TARGETS, or from the file GOFN_TARGETS_FILE or --targets names', () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'gofn-targets-'));
    const config: TargetsConfig = { accounts: [prod], regions: ['eu-west-1'] };
    const file = path.join(dir, 'targets.json');
    writeFileSync(file, JSON.stringify(config));
    try {
      // Act
      const fromEnv = loadTargets({ GOFN_TARGETS: JSON.stringify(config) });
      const fromFile = loadTargets({ GOFN_TARGETS_FILE: file });
      const fromFlag = loadTargets({ GOFN_TARGETS: '{"accounts": []}' }, file);
      const none = loadTargets({});

      // Assess
      expect(fromEnv).toEqual(config);
      expect(fromFile).toEqual(config);
      expect(fromFlag).toEqual(config);
      expect(none).toBeUndefined();
      expect(() => loadTargets({ GOFN_TARGETS_FILE: path.join(dir, 'missing.json') })).toThrow(
        /The targets file .*missing\.json cannot be read/,
      );
      expect(() => loadTargets({ GOFN_TARGETS: '{accounts' })).toThrow(/GOFN_TARGETS is not JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is validated with the rest of the worker’s environment', () => {
    // Prepare
    const env = { SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' };

    // Act
    const good = configSchema.safeParse({
      ...env,
      GOFN_TARGETS: JSON.stringify({ accounts: [prod], regions: ['eu-west-1'] }),
    });
    const bad = configSchema.safeParse({
      ...env,
      GOFN_TARGETS: JSON.stringify({ accounts: [prod], regions: ['nowhere'] }),
    });
    const unset = configSchema.safeParse(env);

    // Assess
    expect(good.success && good.data.GOFN_TARGETS?.accounts[0]?.name).toBe('prod');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['GOFN_TARGETS', 'regions', 0]);
    expect(unset.success && unset.data.GOFN_TARGETS).toBeUndefined();
  });
});

describe('function references', () => {
  it.each([
    ['orders-api', { name: 'orders-api', account: undefined, region: undefined }],
    ['orders-api@eu-west-1', { name: 'orders-api', account: undefined, region: 'eu-west-1' }],
    ['prod/eu-west-1/orders-api', { name: 'orders-api', account: 'prod', region: 'eu-west-1' }],
    ['111122223333/us-gov-west-1/orders-api', { name: 'orders-api', account: '111122223333', region: 'us-gov-west-1' }],
    [
      'arn:aws:lambda:eu-west-1:111122223333:function:orders-api',
      {
        name: 'arn:aws:lambda:eu-west-1:111122223333:function:orders-api',
        account: '111122223333',
        region: 'eu-west-1',
      },
    ],
  ])('reads %s', (text, expected) => {
    expect(parseFunctionRef(text)).toEqual(expected);
  });

  it.each([
    ['orders-api@europe', '"europe" in "orders-api@europe" is not an AWS region'],
    ['prod/west/orders-api', '"west" in "prod/west/orders-api" is not an AWS region'],
    ['orders api', '"orders api" is not a Lambda function name'],
    ['a/b/c/d', '"a/b/c/d" is not a Lambda function name'],
  ])('refuses %s in a sentence that shows the forms', (text, expected) => {
    let error: unknown;
    try {
      parseFunctionRef(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GofnError);
    expect((error as GofnError).code).toBe(ErrorCode.InvalidInput);
    expect((error as GofnError).sentence).toContain(expected);
  });
});
