// Error classification at the AWS boundary: the caller needs to know whether trying again can help.

export type AwsErrorKind = 'throttling' | 'server' | 'network' | 'not-found' | 'permanent';

/** An AWS call failed; `retryable` says whether the same call may succeed later. */
export class AwsCallError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly operation: string,
    readonly kind: AwsErrorKind,
    readonly code: string,
    options: { cause: unknown },
  ) {
    super(`${operation} failed (${kind}: ${code})`, options);
    this.name = 'AwsCallError';
    this.retryable = kind === 'throttling' || kind === 'server' || kind === 'network';
  }
}

const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'EC2ThrottledException',
]);

const NOT_FOUND_CODES = new Set([
  'InvalidInstanceID.NotFound',
  'InvalidNetworkInterfaceID.NotFound',
  'ResourceNotFoundException',
  'TaskNotFoundException',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** The service's error code, e.g. `ThrottlingException` or `InvalidParameterException`. */
export function errorCode(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const e = err as ErrorShape;
  for (const v of [e.Code, e.name, e.code]) {
    if (typeof v === 'string' && v !== '' && v !== 'Error') return v;
  }
  return 'UnknownError';
}

export function classifyAwsError(err: unknown): AwsErrorKind {
  if (typeof err !== 'object' || err === null) return 'permanent';
  const e = err as ErrorShape;
  const code = errorCode(err);
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const nodeCode = typeof e.code === 'string' ? e.code : undefined;
  // Our own token bucket gave up waiting: the same condition as being throttled by the service.
  if (THROTTLING_CODES.has(code) || status === 429 || code === 'RateLimitWaitError') return 'throttling';
  if (NOT_FOUND_CODES.has(code)) return 'not-found';
  if ((nodeCode && NETWORK_CODES.has(nodeCode)) || NETWORK_CODES.has(code)) return 'network';
  if (status !== undefined && status >= 500) return 'server';
  if (e.$fault === 'server' || code === 'ServerException' || code === 'InternalError' || code === 'ServiceUnavailable') {
    return 'server';
  }
  // No HTTP response at all (socket closed, DNS, refused): the request never reached a decision.
  if (status === undefined && e.$metadata === undefined && nodeCode !== undefined) return 'network';
  return 'permanent';
}

/** Wraps any failure of `operation` as an AwsCallError; leaves one that is already classified alone. */
export function wrapAwsError(operation: string, err: unknown): AwsCallError {
  if (err instanceof AwsCallError) return err;
  return new AwsCallError(operation, classifyAwsError(err), errorCode(err), { cause: err });
}
