import type { IncomingMessage, ServerResponse } from 'node:http';

/*
 * What the package reads from requests and writes to responses, in one place, so that it works
 * in a plain Connect app as in Express. Connect hands middleware Node's own request and response:
 * no `req.get`, `req.query`, `req.path`, `req.baseUrl`, `res.status`, `res.json`, `res.redirect`.
 * Where Express's own method exists it is used, so Express apps see Express's behaviour.
 */

type Request = IncomingMessage & { originalUrl?: string; baseUrl?: string; query?: unknown };

/** A request header as one string (the first of repeated ones), or `undefined`. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** `url` as a path and query: `//host/x` is the path `//host/x` here, never a host. */
function pathURL(url: string | undefined): URL {
  try {
    return new URL(`http://x${url?.startsWith('/') ? url : `/${url ?? ''}`}`);
  } catch {
    return new URL('http://x/');
  }
}

const parsedURL = (req: IncomingMessage): URL => pathURL(req.url);

/** The path of the request inside its router (Express's `req.path`). */
export function requestPath(req: IncomingMessage): string {
  return parsedURL(req).pathname;
}

/**
 * The query (Express's `req.query`). In Connect it is parsed from the URL as Express 5 does (a
 * string, or a list for a repeated name) and kept as `req.query`, as Connect's query middleware
 * would: passport-oauth2 reads the callback's `code` there.
 */
export function queryOf(req: Request): Record<string, unknown> {
  if (typeof req.query === 'object' && req.query !== null) return req.query as Record<string, unknown>;
  // No prototype: a parameter named `__proto__` or `constructor` is a parameter like any other.
  const query = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of parsedURL(req).searchParams) {
    const seen = query[name];
    query[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  // Only where nothing set it: Express 5's `req.query` is a getter and must not be assigned.
  if (req.query === undefined) req.query = query;
  return query;
}

/**
 * Where the router handling the request is mounted (Express's `req.baseUrl`): the original URL's
 * path minus the path left to the router. Connect strips the mount path from `req.url` as Express
 * does but sets no `req.baseUrl` (and an Express `Router` inside Connect sets it to `''`).
 */
export function mountPath(req: Request): string {
  const original = req.originalUrl === undefined ? undefined : pathURL(req.originalUrl).pathname;
  const inside = requestPath(req);
  if (original !== undefined && original.endsWith(inside)) {
    return original.slice(0, original.length - inside.length).replace(/\/$/, '');
  }
  return req.baseUrl ?? '';
}

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
  order: number;
}

function mediaRanges(accept: string): MediaRange[] {
  return accept.split(',').flatMap((part, order) => {
    const [range = '', ...params] = part.trim().split(';');
    const [type, subtype] = range.trim().toLowerCase().split('/');
    if (!type || !subtype) return [];
    const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
    return [{ type, subtype, q: q === undefined ? 1 : Number(q), order }];
  });
}

const MEDIA_TYPES: Readonly<Record<string, string>> = { json: 'application/json', html: 'text/html' };

/**
 * Which of `offered` (`'json'`, `'html'`) the client prefers (Express's `req.accepts(offered)`):
 * highest quality, then the most specific match, then the client's order, then ours. No
 * `Accept` header accepts the first; `false` when none is acceptable.
 */
export function accepts(req: IncomingMessage, offered: readonly string[]): string | false {
  const expressAccepts = (req as { accepts?: unknown }).accepts;
  if (typeof expressAccepts === 'function') return expressAccepts.call(req, offered) as string | false;
  const accept = header(req, 'accept');
  if (!accept) return offered[0] ?? false;
  const ranges = mediaRanges(accept);
  const scored = offered.flatMap((name, index) => {
    const [type, subtype] = (MEDIA_TYPES[name] ?? name).split('/');
    const matches = ranges
      .map((r) => ({
        ...r,
        s: r.type === type && r.subtype === subtype ? 2 : r.type === type && r.subtype === '*' ? 1 : 0,
      }))
      .filter((r) => r.s > 0 || (r.type === '*' && r.subtype === '*'))
      .sort((a, b) => b.s - a.s || b.q - a.q);
    const best = matches[0];
    return best && best.q > 0 ? [{ name, q: best.q, s: best.s, order: best.order, index }] : [];
  });
  scored.sort((a, b) => b.q - a.q || b.s - a.s || a.order - b.order || a.index - b.index);
  return scored[0]?.name ?? false;
}

type Response = ServerResponse & {
  redirect?: (status: number, url: string) => void;
  status?: (code: number) => unknown;
  json?: (body: unknown) => void;
};

/** Redirects with `status` (Express's `res.redirect(status, url)`). */
export function redirect(res: Response, status: number, url: string): void {
  if (typeof res.redirect === 'function') return res.redirect(status, url);
  res.statusCode = status;
  // As Express does (encodeurl): characters a header cannot carry are escaped, escapes are kept.
  res.setHeader(
    'Location',
    url.replace(/[^\x21-\x7e]|%(?![0-9a-fA-F]{2})/gu, (c) => encodeURIComponent(c)),
  );
  res.setHeader('Content-Length', '0');
  res.end();
}

/** Answers `body` as JSON (Express's `res.status(status).json(body)`). */
export function sendJson(res: Response, status: number, body: unknown): void {
  if (typeof res.json === 'function' && typeof res.status === 'function') {
    res.status(status);
    return res.json(body);
  }
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

/** Answers an HTML page (Express's `res.status(status).type('html').send(html)`). */
export function sendHtml(res: Response, status: number, html: string): void {
  send(res, status, 'text/html; charset=utf-8', html);
}

/** Answers `text` with `contentType` (Express's `res.status(status).type(type).send(text)`). */
export function send(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/**
 * Lets code that has only the request reach the response, as Express does (`req.res`); Connect
 * sets no such link. The login's binding cookie is written through it.
 */
export function linkResponse(req: IncomingMessage, res: ServerResponse): void {
  const linked = req as IncomingMessage & { res?: ServerResponse };
  if (linked.res === undefined) linked.res = res;
}

/** Attributes of a cookie the package sets (always `HttpOnly`). */
export interface CookieOptions {
  secure: boolean;
  sameSite: 'lax';
  path: string;
  /** Lifetime in milliseconds; 0 deletes the cookie. */
  maxAge: number;
}

type CookieResponse = ServerResponse & {
  cookie?: (name: string, value: string, options: object) => unknown;
  clearCookie?: (name: string, options: object) => unknown;
};

/** Sets (or, with `maxAge: 0`, deletes) a cookie (Express's `res.cookie` and `res.clearCookie`). */
export function setCookie(res: CookieResponse, name: string, value: string, options: CookieOptions): void {
  const { secure, sameSite, path, maxAge } = options;
  const attributes = { httpOnly: true, secure, sameSite, path };
  if (maxAge > 0 && typeof res.cookie === 'function') return void res.cookie(name, value, { ...attributes, maxAge });
  if (maxAge <= 0 && typeof res.clearCookie === 'function') return void res.clearCookie(name, attributes);
  const expires = new Date(maxAge > 0 ? Date.now() + maxAge : 0).toUTCString();
  const cookie = [
    `${name}=${maxAge > 0 ? encodeURIComponent(value) : ''}`,
    ...(maxAge > 0 ? [`Max-Age=${Math.floor(maxAge / 1000)}`] : []),
    `Path=${path}`,
    `Expires=${expires}`,
    'HttpOnly',
    ...(secure ? ['Secure'] : []),
    'SameSite=Lax',
  ].join('; ');
  const previous = res.getHeader('Set-Cookie');
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
  res.setHeader('Set-Cookie', [...list, cookie]);
}
