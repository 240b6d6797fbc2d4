/** The base of every error this package throws: its codes, its brand, and `SynergyFlowError`. */

/** Every error code this package assigns, one per failure kind. */
export const ErrorCodes = {
  UNAUTHORIZED: 'SF_UNAUTHORIZED',
  FORBIDDEN: 'SF_FORBIDDEN',
  RATE_LIMITED: 'SF_RATE_LIMITED',
  LOGIN_REQUIRED: 'SF_LOGIN_REQUIRED',
  LOGIN_FAILED: 'SF_LOGIN_FAILED',
  PROVIDER: 'SF_PROVIDER_ERROR',
  CROSS_SITE: 'SF_CROSS_SITE_REQUEST',
  TWO_FACTOR_REQUIRED: 'SF_TWO_FACTOR_REQUIRED',
  UNAVAILABLE: 'SF_UNAVAILABLE',
  PROXY_REFUSED: 'SF_PROXY_REFUSED',
} as const;

/** The union of the `code` values of this package's errors. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Marks this package's errors, whichever copy of the package made them. */
export const BRAND = Symbol.for('passport-synergyflow.error');

/** Base class of every error this package throws at runtime. */
export class SynergyFlowError extends Error {
  override name = 'SynergyFlowError';
  /** Stable machine-readable code; see {@link ErrorCodes}. */
  readonly code: ErrorCode;
  /** The HTTP status the app should answer with. */
  readonly status: number;
  /** Alias of `status`, read by some error handlers. */
  readonly statusCode: number;
  /** Headers the answer should carry (for example `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;
  /** Messages are written for the operator and never hold secrets, so handlers may show them. */
  readonly expose = true;

  constructor(
    code: ErrorCode,
    status: number,
    message: string,
    options: { headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = status;
    this.statusCode = status;
    this.headers = Object.freeze({ ...options.headers });
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }
}
