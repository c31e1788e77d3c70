import { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../log';

/**
 * Shapes of secrets that must never reach a log line, whatever carried them there: Slack tokens,
 * request signatures, and the capabilities a Slack payload carries (a response_url posts as gofn,
 * a trigger_id opens a modal as the person).
 */
const SECRET_PATTERNS = [
  /xox[abeprs]-[A-Za-z0-9-]+/g,
  /xapp-[A-Za-z0-9-]+/g,
  /v0=[0-9a-f]{64}/g,
  /https:\/\/hooks\.slack(-gov)?\.com\/[^\s"']+/g,
  /\b\d{6,}\.\d{6,}\.[0-9a-f]{32}\b/g,
];

/**
 * gofn's Log over Powertools' structured JSON logger. Attributes are redacted twice: known
 * secret values (the signing secret and bot token, registered at start) and anything shaped
 * like a Slack token. Error objects are reduced to name, code and message: no request bodies.
 */
export function createLambdaLog(serviceName: string, secrets: () => string[] = () => []): Log {
  const logger = new Logger({ serviceName, logLevel: (process.env.LOG_LEVEL as 'INFO') ?? 'INFO' });
  const redact = (text: string): string => {
    let out = text;
    for (const secret of secrets()) if (secret.length >= 8) out = out.split(secret).join('[redacted]');
    for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, '[redacted]');
    return out;
  };
  const clean = (attributes: Record<string, unknown> | undefined): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(attributes ?? {})) {
      if (value instanceof Error) {
        out[key] = { name: value.name, code: (value as { code?: unknown }).code, message: redact(value.message) };
      } else if (typeof value === 'string') {
        out[key] = redact(value);
      } else if (value === null || typeof value !== 'object') {
        out[key] = value;
      } else {
        out[key] = JSON.parse(redact(JSON.stringify(value))) as unknown;
      }
    }
    return out;
  };
  return {
    debug: (message, attributes) => logger.debug(redact(message), clean(attributes)),
    info: (message, attributes) => logger.info(redact(message), clean(attributes)),
    warn: (message, attributes) => logger.warn(redact(message), clean(attributes)),
    error: (message, attributes) => logger.error(redact(message), clean(attributes)),
  };
}
