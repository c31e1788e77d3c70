import { CloudWatchServiceException } from '@aws-sdk/client-cloudwatch';
import { ResourceNotFoundException, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { QueueDoesNotExist } from '@aws-sdk/client-sqs';
import { toGofnAwsError, type AwsCall } from '../../src/aws/errors';
import { ErrorCode, GofnError } from '../../src/errors';

const call: AwsCall = { service: 'CloudWatch', operation: 'GetMetricData', subject: 'orders-api:live' };

function serviceError(name: string, status: number, message = 'the service said no') {
  return new CloudWatchServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    message,
    $metadata: { httpStatusCode: status, attempts: 3 },
  });
}

/** An answer the SDK could not parse, as it reports one: a SyntaxError carrying the HTTP status. */
function unparsable(status: number) {
  return Object.assign(
    new SyntaxError('Unexpected token \'<\', "<!doctype "... is not valid JSON\n  Deserialization error: ...'),
    {
      $metadata: { httpStatusCode: status },
    },
  );
}

describe('toGofnAwsError', () => {
  it.each([
    [
      'ResourceNotFoundException',
      new ResourceNotFoundException({ message: 'Function not found', $metadata: {} }),
      ErrorCode.NotFound,
    ],
    ['QueueDoesNotExist', new QueueDoesNotExist({ message: 'no queue', $metadata: {} }), ErrorCode.NotFound],
    ['ApplicationDoesNotExistException', serviceError('ApplicationDoesNotExistException', 400), ErrorCode.NotFound],
    ['AccessDeniedException', serviceError('AccessDeniedException', 400), ErrorCode.AccessDenied],
    ['AccessDenied', serviceError('AccessDenied', 403), ErrorCode.AccessDenied],
    ['UnauthorizedOperation', serviceError('UnauthorizedOperation', 400), ErrorCode.AccessDenied],
    ['any 403', serviceError('SomethingElse', 403), ErrorCode.AccessDenied],
    ['Throttling', serviceError('Throttling', 400), ErrorCode.Throttled],
    ['ThrottlingException', serviceError('ThrottlingException', 400), ErrorCode.Throttled],
    [
      'TooManyRequestsException',
      new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }),
      ErrorCode.Throttled,
    ],
    ['LimitExceededException (Logs Insights)', serviceError('LimitExceededException', 400), ErrorCode.Throttled],
    ['any 429', serviceError('Whatever', 429), ErrorCode.Throttled],
    ['AbortError', Object.assign(new Error('Request aborted'), { name: 'AbortError' }), ErrorCode.Timeout],
    ['TimeoutError', Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }), ErrorCode.Timeout],
    [
      'CredentialsProviderError',
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      ErrorCode.NoCredentials,
    ],
    ['missing region', new Error('Region is missing'), ErrorCode.NoCredentials],
    ['ExpiredTokenException', serviceError('ExpiredTokenException', 400), ErrorCode.NoCredentials],
    ['UnrecognizedClientException', serviceError('UnrecognizedClientException', 403), ErrorCode.NoCredentials],
    [
      'moto not yet implemented',
      serviceError('InternalFailure', 500, 'Not implemented yet - moto'),
      ErrorCode.Unsupported,
    ],
    ['HTTP 501', serviceError('NotImplemented', 501), ErrorCode.Unsupported],
    ['unknown operation', serviceError('UnknownOperationException', 400), ErrorCode.Unsupported],
    ['HTML 404 for an unknown route', unparsable(404), ErrorCode.Unsupported],
    ['HTML 500 for an unimplemented action', unparsable(500), ErrorCode.Unsupported],
    ['InternalFailure', serviceError('InternalFailure', 500), ErrorCode.Upstream],
    ['ServiceUnavailable', serviceError('ServiceUnavailable', 503), ErrorCode.Upstream],
    ['HTML 502 from a proxy', unparsable(502), ErrorCode.Upstream],
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      ErrorCode.Upstream,
    ],
    ['a thrown string', 'boom', ErrorCode.Upstream],
  ])('maps %s', (_name, error, code) => {
    // Act
    const mapped = toGofnAwsError(error, call);

    // Assess
    expect(mapped).toBeInstanceOf(GofnError);
    expect(mapped.code).toBe(code);
    expect(mapped.cause).toBe(error);
    expect(mapped.message).toMatch(/^CloudWatch GetMetricData /);
  });

  it('writes a sentence naming the call, the subject and what AWS said', () => {
    // Act
    const mapped = toGofnAwsError(serviceError('AccessDeniedException', 400, 'User: x is not authorized'), call);

    // Assess
    expect(mapped.message).toBe('CloudWatch GetMetricData for orders-api:live was denied: User: x is not authorized');
    expect(mapped.hint).toBe('Allow cloudwatch:GetMetricData for the role gofn runs as.');
  });

  it('says how many attempts a throttled call made', () => {
    // Act
    const mapped = toGofnAwsError(serviceError('ThrottlingException', 400, 'Rate exceeded'), call);

    // Assess
    expect(mapped.message).toBe(
      'CloudWatch GetMetricData for orders-api:live was throttled after 3 attempts: Rate exceeded',
    );
  });

  it('explains an answer that is not from AWS', () => {
    // Act
    const mapped = toGofnAwsError(unparsable(404), { service: 'Lambda', operation: 'GetAccountSettings' });

    // Assess
    expect(mapped.message).toBe(
      'Lambda GetAccountSettings is not supported by this AWS endpoint (HTTP 404 with a body that is not an AWS response).',
    );
  });

  it('keeps a GofnError as it is', () => {
    // Prepare
    const original = new GofnError(ErrorCode.Conflict, 'Already handled.');

    // Act
    const mapped = toGofnAwsError(original, call);

    // Assess
    expect(mapped).toBe(original);
  });
});
