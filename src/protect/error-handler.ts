import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthParts } from '../parts.js';
import { type SynergyFlowError } from '../errors.js';
import { isLoginFailedError } from '../error-guards.js';
import { isLoginRequiredError } from '../error-guards.js';
import { isRateLimitError } from '../error-guards.js';
import { isUnauthorizedError } from '../error-guards.js';
import { isSynergyFlowError } from '../error-guards.js';
import { isTemporarilyUnavailableError } from '../error-guards.js';
import { isNavigation, wantsHtml } from './negotiate.js';
import { requestedPath, returnPathFor } from '../login/return-to.js';
import { logger } from '../log.js';
import { loginRedirectFor } from '../login/silent-renewal.js';
import { reachesErrorMiddleware } from '../seams/express-router.js';
import { pageTitle } from './page-title.js';
import { redirect, requestPath, sendHtml, sendJson } from '../util/http.js';
import { ERROR_HANDLER_OPTIONS, refuseUnknownOptions } from '../option-names.js';
import { isStoreOutage, storeUnavailable } from '../redis/store-outage.js';

const log = logger('errors');

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function page(error: SynergyFlowError): string {
  const title = pageTitle(error);
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
    return redirect(res, 303, loginRedirectFor(parts.config, returnTo, error));
  }
  if (isLoginFailedError(error) && failureRedirect !== undefined && wantsHtml(req)) {
    return redirect(res, 303, `${failureRedirect}?error=${encodeURIComponent(error.reason)}`);
  }
  if (wantsHtml(req)) return sendHtml(res, error.status, render(error, req));
  sendJson(res, error.status, errorBody(error));
}

/**
 * Builds the error middleware that answers this package's errors (others go to `next`):
 * browsers navigating are redirected to log in when that helps (keeping where they were), sent
 * to `failureRedirect` after a failed login when one is set, and otherwise get a small HTML page;
 * API clients get `{ "error": { "code", "message", … } }`. Status and headers (`Retry-After`)
 * come from the error; no stack trace is ever sent. A session store's outage errors (Redis
 * offline, timed out, failing over) are answered as 503 `store_unavailable` with `Retry-After`.
 */
export function createErrorHandler(parts: AuthParts, options: ErrorHandlerOptions = {}): ErrorRequestHandler {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('passport-synergyflow: errorHandler() takes an options object.');
  }
  refuseUnknownOptions(options, ERROR_HANDLER_OPTIONS, 'errorHandler() ');
  handlersCreated.add(parts);
  const render = options.renderPage ?? page;
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    // express-session hands its store's failures (Redis down, failing over) to `next` before
    // the package runs: they are the 503 `store_unavailable` the README promises, not a 500.
    const known = isStoreOutage(error) ? storeUnavailable(error, 'the session store') : error;
    if (res.headersSent && isTemporarilyUnavailableError(known)) {
      // express-session saving the session after the answer began: the answer still completes,
      // where passing the error on would make Express destroy the connection under it.
      log('after the answer began: %s (%s)', known.code, known.reason);
      return;
    }
    if (!isSynergyFlowError(known) || res.headersSent) return next(error);
    answer(parts, render, known, req, res);
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
    requestPath(req),
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
