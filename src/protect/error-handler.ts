import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthParts } from '../parts.js';
import { type SynergyFlowError } from '../errors.js';
import { isLoginFailedError } from '../error-guards.js';
import { isLoginRequiredError } from '../error-guards.js';
import { isRateLimitError } from '../error-guards.js';
import { isUnauthorizedError } from '../error-guards.js';
import { isSynergyFlowError } from '../error-guards.js';
import { isNavigation, wantsHtml } from './negotiate.js';
import { requestedPath, returnPathFor } from '../login/return-to.js';
import { logger } from '../log.js';
import { loginRedirectFor } from '../login/silent-renewal.js';
import { reachesErrorMiddleware } from '../seams/express-router.js';

const log = logger('errors');

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const TITLES: Record<string, string> = {
  SF_UNAUTHORIZED: 'Please log in again',
  SF_LOGIN_REQUIRED: 'Please log in',
  SF_LOGIN_FAILED: 'Login did not complete',
  SF_FORBIDDEN: 'Not allowed',
  SF_RATE_LIMITED: 'Too many requests',
  SF_PROVIDER_ERROR: 'The login provider is unavailable',
  SF_CROSS_SITE_REQUEST: 'Request refused',
  SF_TWO_FACTOR_REQUIRED: 'Second factor required',
  SF_UNAVAILABLE: 'Please try again in a moment',
};

function page(error: SynergyFlowError): string {
  const title = TITLES[error.code] ?? 'Error';
  const retry = isRateLimitError(error) ? `<p>Try again in ${error.retryAfter} seconds.</p>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(error.message)}</p>${retry}<p><a href="/">Home</a></p></main></body></html>`;
}

/** The JSON body answered to API clients: the code, the message, and rate-limit figures. */
export function errorBody(error: SynergyFlowError): { error: Record<string, string | number> } {
  const body: Record<string, string | number> = { code: error.code, message: error.message };
  if (isRateLimitError(error)) body.retryAfter = error.retryAfter;
  if ('reason' in error && typeof error.reason === 'string') body.reason = error.reason;
  return { error: body };
}

type PageRenderer = (error: SynergyFlowError, req: Request) => string;

/** Options of `errorHandler()`. */
export interface ErrorHandlerOptions {
  /** Renders the HTML page for browsers (default: a small plain page). Escape what you show. */
  renderPage?(error: SynergyFlowError, req: Request): string;
}

/** The `auth` instances whose `errorHandler()` the app created (and so, presumably, mounted). */
const handlersCreated = new WeakSet<AuthParts>();

function answer(parts: AuthParts, render: PageRenderer, error: SynergyFlowError, req: Request, res: Response): void {
  const { failureRedirect } = parts.config;
  res.setHeader('Cache-Control', 'no-store');
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  if ((isLoginRequiredError(error) || isUnauthorizedError(error)) && isNavigation(req)) {
    // Never back to the callback (its code) or the login route.
    const returnTo = returnPathFor(requestedPath(req.originalUrl), parts.config);
    return res.redirect(303, loginRedirectFor(parts.config, returnTo, error));
  }
  if (isLoginFailedError(error) && failureRedirect !== undefined && wantsHtml(req)) {
    return res.redirect(303, `${failureRedirect}?error=${encodeURIComponent(error.reason)}`);
  }
  res.status(error.status);
  if (wantsHtml(req)) return void res.type('html').send(render(error, req));
  res.json(errorBody(error));
}

/**
 * Builds the error middleware that answers this package's errors (others go to `next`):
 * browsers navigating are redirected to log in when that helps (keeping where they were), sent
 * to `failureRedirect` after a failed login when one is set, and otherwise get a small HTML page;
 * API clients get `{ "error": { "code", "message", … } }`. Status and headers (`Retry-After`)
 * come from the error; no stack trace is ever sent.
 */
export function createErrorHandler(parts: AuthParts, options: ErrorHandlerOptions = {}): ErrorRequestHandler {
  handlersCreated.add(parts);
  const render = options.renderPage ?? page;
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!isSynergyFlowError(error) || res.headersSent) return next(error);
    answer(parts, render, error, req, res);
  };
}

/**
 * Logs why the package's `middleware` refused a request, then hands the error on to the app's
 * error handlers or, when none would see it (no `auth.errorHandler()` created, no error
 * middleware on its way), answers it as `errorHandler()` would: Express's fallback gives API
 * clients an HTML page with a stack trace.
 */
export function passError(
  parts: AuthParts,
  middleware: RequestHandler,
  error: unknown,
  req: Request,
  res: Response,
  next: NextFunction,
): void {
  const code = (error as { code?: unknown }).code;
  const reason = (error as { reason?: unknown }).reason;
  log(
    'refused %s %s: %s%s',
    req.method,
    req.path,
    typeof code === 'string' ? code : 'error',
    typeof reason === 'string' ? ` (${reason})` : '',
  );
  if (
    !isSynergyFlowError(error) ||
    res.headersSent ||
    handlersCreated.has(parts) ||
    reachesErrorMiddleware(req.app, middleware)
  ) {
    return next(error);
  }
  log('no error handler mounted: answered %s here (app.use(auth.errorHandler()) takes over)', error.code);
  answer(parts, page, error, req, res);
}
