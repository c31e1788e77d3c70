/**
 * Every error gofn raises on purpose is a GofnError: a stable code for programs, a message that
 * is a complete sentence for people, and the underlying `cause` for logs.
 */
export enum ErrorCode {
  /** Bad input from a person: an option, an argument, a slash command. */
  InvalidInput = 'gofn_invalid_input',
  /** A runbook, scenario or config file that does not match its schema. */
  InvalidFile = 'gofn_invalid_file',
  /** The function (or alias, queue...) does not exist or cannot be seen. */
  NotFound = 'gofn_not_found',
  /** AWS refused the call for lack of permissions. */
  AccessDenied = 'gofn_access_denied',
  /** No usable AWS credentials or region. */
  NoCredentials = 'gofn_no_credentials',
  /** AWS throttled us after retries. */
  Throttled = 'gofn_throttled',
  /** A call or the whole diagnosis ran past its deadline. */
  Timeout = 'gofn_timeout',
  /** The data source does not support what we asked (for example the emulator). */
  Unsupported = 'gofn_unsupported',
  /** The world changed between plan and execute (alias moved, DLQ emptied...). */
  Conflict = 'gofn_conflict',
  /** A person is not allowed to do what they asked. */
  Forbidden = 'gofn_forbidden',
  /** A Slack request failed verification. */
  Unauthenticated = 'gofn_unauthenticated',
  /** An upstream service failed in a way not covered above. */
  Upstream = 'gofn_upstream',
  /** A bug: something that should not happen. */
  Internal = 'gofn_internal',
}

export interface GofnErrorOptions {
  cause?: unknown;
  /** What the person can do about it, as a sentence. */
  hint?: string;
}

export class GofnError extends Error {
  override readonly name = 'GofnError';
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: GofnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }

  /** The message and hint together, as shown to a person. */
  get sentence(): string {
    if (!this.hint) return this.message;
    // Messages that quote another system's words may not end a sentence; the hint starts one.
    const ended = /[.!?:)]$/.test(this.message) ? this.message : `${this.message}.`;
    return `${ended} ${this.hint}`;
  }
}

export function isGofnError(error: unknown, code?: ErrorCode): error is GofnError {
  return error instanceof GofnError && (code === undefined || error.code === code);
}

/** The message to show a person for any thrown value, never a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof GofnError) return error.sentence;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Wraps anything thrown into a GofnError, keeping GofnErrors as they are. */
export function toGofnError(error: unknown, fallback: ErrorCode, message: string): GofnError {
  if (error instanceof GofnError) return error;
  return new GofnError(fallback, message, { cause: error });
}
