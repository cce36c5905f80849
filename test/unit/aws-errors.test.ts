import { describe, expect, it } from 'vitest';
import { AwsCallError, classifyAwsError, wrapAwsError } from '../../src/aws/errors.js';
import { RateLimitWaitError } from '../../src/aws/token-bucket.js';

function sdkError(name: string, status?: number, fault: 'client' | 'server' = 'client'): Error {
  const err = new Error(`${name} happened`);
  return Object.assign(err, { name, $fault: fault, $metadata: status === undefined ? {} : { httpStatusCode: status } });
}

function nodeError(code: string): Error {
  return Object.assign(new Error(`socket: ${code}`), { code });
}

describe('classifyAwsError', () => {
  it.each([
    { name: 'ECS throttling', err: sdkError('ThrottlingException', 400), want: 'throttling', retryable: true },
    { name: 'EC2 request limit', err: sdkError('RequestLimitExceeded', 503), want: 'throttling', retryable: true },
    { name: 'HTTP 429', err: sdkError('Whatever', 429), want: 'throttling', retryable: true },
    { name: 'our own bucket gave up', err: new RateLimitWaitError('wait too long', 'read'), want: 'throttling', retryable: true },
    { name: 'ECS server exception', err: sdkError('ServerException', 500, 'server'), want: 'server', retryable: true },
    { name: 'EC2 unavailable', err: sdkError('Unavailable', 503, 'server'), want: 'server', retryable: true },
    { name: 'connection refused', err: nodeError('ECONNREFUSED'), want: 'network', retryable: true },
    { name: 'connection reset', err: nodeError('ECONNRESET'), want: 'network', retryable: true },
    { name: 'request timeout', err: sdkError('TimeoutError'), want: 'network', retryable: true },
    { name: 'validation', err: sdkError('InvalidParameterException', 400), want: 'permanent', retryable: false },
    { name: 'client exception', err: sdkError('ClientException', 400), want: 'permanent', retryable: false },
    { name: 'access denied', err: sdkError('AccessDeniedException', 403), want: 'permanent', retryable: false },
    { name: 'EC2 unauthorized', err: sdkError('UnauthorizedOperation', 403), want: 'permanent', retryable: false },
    { name: 'unknown instance', err: sdkError('InvalidInstanceID.NotFound', 400), want: 'not-found', retryable: false },
    { name: 'not an object', err: 'boom', want: 'permanent', retryable: false },
  ])('$name → $want', ({ err, want, retryable }) => {
    expect(classifyAwsError(err)).toBe(want);
    const wrapped = wrapAwsError('DescribeTasks', err);
    expect(wrapped).toBeInstanceOf(AwsCallError);
    expect(wrapped.name).toBe('AwsCallError');
    expect(wrapped.retryable).toBe(retryable);
    expect(wrapped.cause).toBe(err);
    expect(wrapped.message).toContain('DescribeTasks');
  });

  it('does not wrap twice', () => {
    const once = wrapAwsError('ListTasks', sdkError('ThrottlingException', 400));
    expect(wrapAwsError('Other', once)).toBe(once);
  });
});
