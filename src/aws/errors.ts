import { ErrorCode, GofnError } from '../errors';
import { iamAction, type AwsServiceName } from './services';

/** Which AWS call failed, for the error sentence: "CloudWatch GetMetricData ... for orders-api:live". */
export interface AwsCall {
  service: AwsServiceName;
  operation: string;
  /** What the call was about, e.g. `function orders-api:live` or a queue ARN. */
  subject?: string;
}

/** What the SDK puts on the errors it throws; every field may be missing on a non-AWS answer. */
interface SdkErrorShape {
  name: string;
  message: string;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

function sdkShape(error: unknown): SdkErrorShape {
  if (typeof error !== 'object' || error === null) return { name: 'Error', message: String(error) };
  const e = error as Partial<SdkErrorShape>;
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message : '',
    code: e.code,
    $fault: e.$fault,
    $metadata: typeof e.$metadata === 'object' && e.$metadata !== null ? e.$metadata : undefined,
  };
}

const notFound = /NotFound|NoSuchEntity|DoesNotExist|NonExistentQueue|NoSuchResource/;
const throttled =
  /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown|LimitExceededException|ProvisionedThroughputExceeded/;
const denied = /^AccessDenied|UnauthorizedOperation|NotAuthorized|AuthorizationError|^Forbidden/;
/** Credentials that exist but do not work: a person fixes these by logging in again. */
const unusableCredentials =
  /^(ExpiredToken|ExpiredTokenException|InvalidClientTokenId|UnrecognizedClientException|InvalidSignatureException|SignatureDoesNotMatch|MissingAuthenticationToken|IncompleteSignature)$/;
const noCredentials = /^(CredentialsProviderError|TokenProviderError)$/;
const notImplemented = /not (yet )?implemented|has not been implemented/i;
const unknownOperation = /^(UnknownOperationException|InvalidAction|NotImplemented|NotImplementedException)$/;

/**
 * Maps anything an SDK call threw to a GofnError whose code says why and whose message names the
 * call. Timeouts of `callAws`'s own deadline are handled there; this sees the SDK's errors.
 */
export function toGofnAwsError(error: unknown, call: AwsCall): GofnError {
  if (error instanceof GofnError) return error;
  const e = sdkShape(error);
  const status = e.$metadata?.httpStatusCode;
  const what = `${call.service} ${call.operation}`;
  const about = call.subject ? ` for ${call.subject}` : '';
  const detail = e.message ? `: ${firstLine(e.message)}` : '';
  const make = (code: ErrorCode, sentence: string, hint?: string) =>
    new GofnError(code, sentence, hint === undefined ? { cause: error } : { cause: error, hint });

  if (
    e.name === 'AbortError' ||
    e.name === 'TimeoutError' ||
    e.code === 'ETIMEDOUT' ||
    /^RequestTimeout/.test(e.name)
  ) {
    return make(ErrorCode.Timeout, `${what}${about} timed out${detail}`);
  }
  if (noCredentials.test(e.name) || /Region is missing|Could not load credentials/i.test(e.message)) {
    return make(
      ErrorCode.NoCredentials,
      `${what}${about} could not be sent: no usable AWS credentials or region${detail}`,
      'Set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and AWS_REGION.',
    );
  }
  if (unusableCredentials.test(e.name)) {
    return make(
      ErrorCode.NoCredentials,
      `${what}${about} was refused because the AWS credentials are expired or invalid${detail}`,
      'Refresh the credentials (for example `aws sso login`) and try again.',
    );
  }
  if (isUnsupported(e, status)) {
    return make(
      ErrorCode.Unsupported,
      `${what}${about} is not supported by this AWS endpoint (${unsupportedReason(e, status)}).`,
    );
  }
  if (notFound.test(e.name)) {
    return make(ErrorCode.NotFound, `${what} found nothing${about}${detail}`);
  }
  if (denied.test(e.name) || (status === 403 && e.$fault !== 'server')) {
    return make(
      ErrorCode.AccessDenied,
      `${what}${about} was denied${detail}`,
      `Allow ${iamAction(call.service, call.operation)} for the role gofn runs as.`,
    );
  }
  if (throttled.test(e.name) || status === 429) {
    const attempts = e.$metadata?.attempts;
    return make(
      ErrorCode.Throttled,
      `${what}${about} was throttled${attempts ? ` after ${attempts} attempts` : ''}${detail}`,
      'Try again in a minute, or ask for a higher API rate limit.',
    );
  }
  if (status === 404) {
    return make(ErrorCode.NotFound, `${what} found nothing${about}${detail}`);
  }
  if (isConnectionFailure(e)) {
    return make(ErrorCode.Upstream, `${what}${about} could not reach AWS${detail}`);
  }
  return make(ErrorCode.Upstream, `${what}${about} failed${status ? ` (HTTP ${status})` : ''}${detail}`);
}

/**
 * An endpoint that does not implement an operation: moto answers with "not yet implemented" (500
 * InternalFailure), a 501, or an HTML page the SDK cannot parse (404 for unknown routes, 500 for
 * operations it lists but does not implement). AWS itself always answers with an error document.
 */
function isUnsupported(e: SdkErrorShape, status: number | undefined): boolean {
  if (status === 501 || unknownOperation.test(e.name) || notImplemented.test(e.message)) return true;
  const notAnAwsAnswer = e.name === 'SyntaxError' || /Deserialization error/.test(e.message);
  return notAnAwsAnswer && status !== undefined && [404, 405, 500, 501].includes(status);
}

function unsupportedReason(e: SdkErrorShape, status: number | undefined): string {
  if (notImplemented.test(e.message)) return firstLine(e.message);
  if (e.name === 'SyntaxError' || /Deserialization error/.test(e.message)) {
    return `HTTP ${status ?? '?'} with a body that is not an AWS response`;
  }
  return `${e.name}${status ? `, HTTP ${status}` : ''}`;
}

function isConnectionFailure(e: SdkErrorShape): boolean {
  return (
    typeof e.code === 'string' && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|EPIPE)$/.test(e.code)
  );
}

function firstLine(text: string): string {
  const line = text.split('\n')[0]?.trim() ?? '';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/**
 * The name of the AWS error behind `error` (a GofnError from `callAws` keeps it as its cause), for
 * the few answers an adapter turns into a result instead of a failure: a failed condition, a stale
 * revision.
 */
export function awsErrorName(error: unknown): string | undefined {
  const sdkError = error instanceof GofnError ? error.cause : error;
  if (typeof sdkError !== 'object' || sdkError === null) return undefined;
  const name = (sdkError as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}
