/**
 * The tag that names the API Gateway API in front of a function: `gofn:api` =
 * `rest/<ApiName>[/<Stage>]` for a REST API (its metrics carry ApiName and Stage) or
 * `http/<ApiId>[/<Stage>]` for an HTTP API (ApiId and Stage). Lambda's configuration does not say
 * which API invokes a function (only its resource policy hints at it), so the owner says.
 */
export const API_TAG = 'gofn:api';

export interface ApiRef {
  type: 'rest' | 'http';
  /** ApiName of a REST API, ApiId of an HTTP API. */
  name: string;
  stage: string | undefined;
}

/** The API a tag value names, or undefined when it is not of the form above. */
export function parseApiTag(value: string | undefined): ApiRef | undefined {
  if (!value) return undefined;
  const [type, name, stage, ...rest] = value.split('/');
  if ((type !== 'rest' && type !== 'http') || !name || rest.length > 0 || stage === '') return undefined;
  return { type, name, stage };
}

/** The metric names and dimension of each kind of API (API Gateway's CloudWatch metrics). */
export function apiMetricNames(type: ApiRef['type']): {
  dimension: string;
  count: string;
  errors4xx: string;
  errors5xx: string;
} {
  return type === 'rest'
    ? { dimension: 'ApiName', count: 'Count', errors4xx: '4XXError', errors5xx: '5XXError' }
    : { dimension: 'ApiId', count: 'Count', errors4xx: '4xx', errors5xx: '5xx' };
}
