import { parseCommandText } from '../../src/slack/command';

describe('/gofn command text', () => {
  it.each([
    ['status orders-api', { kind: 'status', functionName: 'orders-api', window: '1h', alias: 'live' }],
    ['status orders-api 3h', { kind: 'status', functionName: 'orders-api', window: '3h', alias: 'live' }],
    [
      'status orders-api 15m alias=staging',
      { kind: 'status', functionName: 'orders-api', window: '15m', alias: 'staging' },
    ],
    ['status', { kind: 'status', functionName: undefined, window: '1h', alias: 'live' }],
    ['status 3h', { kind: 'status', functionName: undefined, window: '3h', alias: 'live' }],
    ['  help ', { kind: 'help' }],
    ['', { kind: 'help' }],
    [
      'status prod/eu-west-1/orders-api 3h',
      { kind: 'status', functionName: 'prod/eu-west-1/orders-api', window: '3h', alias: 'live' },
    ],
    [
      'status orders-api@eu-west-1',
      { kind: 'status', functionName: 'orders-api@eu-west-1', window: '1h', alias: 'live' },
    ],
    [
      'status service=orders 3h',
      { kind: 'status', functionName: undefined, window: '3h', alias: 'live', service: 'orders' },
    ],
  ])('reads %j', (text, expected) => {
    expect(parseCommandText(text, '1h')).toEqual(expected);
  });

  it.each([
    ['rollback orders-api', '"rollback" is not a gofn command.'],
    ['status orders-api 9y', expect.stringContaining('window') as unknown as string],
    ['status orders-api extra', 'I did not understand "extra".'],
    ['status orders.api', '"orders.api" is not a Lambda function name.'],
    ['status orders-api alias=a/b', '"a/b" is not an alias name.'],
    ['status orders-api@europe', '"orders-api@europe" is not a Lambda function name.'],
    ['status service=orders orders-api', 'I did not understand "orders-api".'],
    [
      'status service=<x>',
      '"<x>" is not a service tag value. Use service=NAME with the value of the functions\' service tag, like service=orders.',
    ],
  ])('answers %j with help and the problem', (text, problem) => {
    expect(parseCommandText(text, '1h')).toEqual({ kind: 'help', problem });
  });
});
