import { describe, expect, it } from 'vitest';
import {
  ForbiddenError,
  isForbiddenError,
  isLoginRequiredError,
  isRateLimitError,
  isSynergyFlowError,
  LoginRequiredError,
  ProviderError,
  RateLimitError,
} from 'passport-synergyflow';

describe('typed errors', () => {
  it('carry a stable code, status, statusCode and headers', () => {
    const error = new RateLimitError(30, 60, 0);
    expect(error).toMatchObject({
      code: 'SF_RATE_LIMITED',
      status: 429,
      statusCode: 429,
      retryAfter: 30,
      limit: 60,
      remaining: 0,
    });
    expect(error.headers).toEqual({ 'Retry-After': '30' });
    expect(new ProviderError('timeout', 'x').status).toBe(504);
    expect(new ForbiddenError('user:write').scope).toBe('user:write');
  });

  it('guards work across copies of the package (plain objects with the same code)', () => {
    const foreign = { code: 'SF_RATE_LIMITED', status: 429, message: 'from another copy' };
    expect(isRateLimitError(foreign)).toBe(true);
    expect(isSynergyFlowError(foreign)).toBe(true);
    expect(isForbiddenError(foreign)).toBe(false);
    expect(isLoginRequiredError(new LoginRequiredError('no_tokens'))).toBe(true);
    expect(isSynergyFlowError(new Error('x'))).toBe(false);
    expect(isSynergyFlowError(null)).toBe(false);
  });
});
