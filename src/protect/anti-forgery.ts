import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { CrossSiteRequestError } from '../errors.js';
import { logger } from '../log.js';
import type { AuthParts } from '../parts.js';
import { passError } from './error-handler.js';
import { resolveAntiForgery, type AntiForgeryCheck, type AntiForgerySetting } from './anti-forgery-setting.js';

const log = logger('anti-forgery');

/**
 * True for a browser's top-level navigation (a link, the address bar, a redirect back from the
 * login): a GET or HEAD that says `Sec-Fetch-Mode: navigate`, or, from a client that sends no
 * `Sec-Fetch-*` headers, one that asks for HTML. Only these may come without the header: a
 * navigation cannot read the answer, and GET and HEAD change nothing. A form POST is never one.
 */
export function isTopLevelNavigation(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const mode = req.get('sec-fetch-mode');
  // A document of its own only: a frame, an <embed> or an <object> may sit in another site's page.
  if (mode !== undefined) return mode === 'navigate' && (req.get('sec-fetch-dest') ?? 'document') === 'document';
  return req.get('accept')?.includes('text/html') === true;
}

/** True when the request carries the header with the expected value (exactly one of them). */
export function hasAntiForgeryHeader(req: Request, check: AntiForgeryCheck): boolean {
  return req.headers[check.header] === check.value;
}

/**
 * The refusal for a request that lacks the header, or `undefined` when it may go on. Navigations
 * pass when `navigations` is true (routes that browsers also open as pages).
 */
export function forgeryRefusal(
  req: Request,
  check: AntiForgeryCheck | undefined,
  navigations = true,
): CrossSiteRequestError | undefined {
  if (check === undefined || hasAntiForgeryHeader(req, check)) return undefined;
  if (navigations && isTopLevelNavigation(req)) return undefined;
  log('refused %s %s: no %s header', req.method, req.path, check.header);
  return new CrossSiteRequestError('missing_anti_forgery_header');
}

/**
 * Middleware for your own API routes (`app.use('/api', auth.antiForgery())`): requests that are
 * not top-level navigations must carry the anti-forgery header, or get 403
 * `SF_CROSS_SITE_REQUEST` (`reason: 'missing_anti_forgery_header'`) before anything else runs.
 */
export function createAntiForgery(parts: AuthParts, setting: AntiForgerySetting = true): RequestHandler {
  const check = resolveAntiForgery(setting, 'antiForgery()', parts.config.antiForgery);
  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    const refusal = forgeryRefusal(req, check);
    if (refusal) return passError(parts, middleware, refusal, req, res, next);
    next();
  };
  return middleware;
}
