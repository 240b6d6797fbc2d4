import type { Request } from 'express';
import type { AuthParts } from '../parts.js';

/** One call of the provider's API through `auth.api()`. */
export interface ApiRequest {
  /** `GET` (default), `POST`, `PUT`, `PATCH` or `DELETE`. */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path on the provider, such as `/api/things?page=2`. The token is never sent elsewhere. */
  path: string;
  /** Sent as JSON (`Content-Type: application/json`). Not allowed with GET. */
  body?: unknown;
  /** Extra request headers; `Authorization` is the package's and cannot be set. */
  headers?: Readonly<Record<string, string>>;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const HEADER_VALUE = /^[^\x00-\x08\x0a-\x1f\x7f]{0,4096}$/;
const RESERVED = new Set(['authorization', 'cookie', 'host', 'content-length', 'content-type', 'transfer-encoding']);

function refuse(detail: string): never {
  throw new TypeError(`passport-synergyflow: auth.api() ${detail}.`);
}

/** The provider URL of `path`, or a `TypeError` when it would leave the provider's origin. */
function providerURL(parts: AuthParts, path: unknown): string {
  const base = new URL(parts.config.baseURL);
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || /[\\\s]/.test(path)) {
    refuse('takes a path on the provider, such as "/api/user"');
  }
  const url = new URL(parts.config.baseURL + path);
  if (url.origin !== base.origin) {
    refuse('takes a path on the provider, such as "/api/user"');
  }
  return url.toString();
}

function checkHeaders(headers: unknown): Readonly<Record<string, string>> | undefined {
  if (headers === undefined) return undefined;
  if (typeof headers !== 'object' || headers === null) refuse('"headers" must be an object of strings');
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name) || typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      refuse(`header ${JSON.stringify(name.slice(0, 64))} is not a valid header name and value`);
    }
    if (RESERVED.has(name.toLowerCase())) refuse(`cannot set the "${name}" header: the package sets it`);
  }
  return { ...(headers as Record<string, string>) };
}

/**
 * Calls the provider's API with the request's token and returns its JSON (`undefined` for an
 * empty answer), through the one token path: a fresh token first, one refresh and one retry on a
 * 401, typed errors otherwise. `path` must be a path on the provider (a token is never sent
 * anywhere else); mistakes in the request itself are `TypeError`s, raised before any token is
 * read.
 */
export async function api<T = unknown>(parts: AuthParts, req: Request, request: ApiRequest): Promise<T> {
  if (typeof request !== 'object' || request === null) refuse('takes { method, path, body, headers }');
  const method = request.method ?? 'GET';
  if (!METHODS.has(method)) refuse(`"method" must be one of ${[...METHODS].join(', ')}`);
  const url = providerURL(parts, request.path);
  const headers = checkHeaders(request.headers);
  if (request.body !== undefined) {
    if (method === 'GET') refuse('cannot send a body with GET');
    try {
      JSON.stringify(request.body);
    } catch {
      refuse('"body" must be JSON-serialisable');
    }
  }
  const call = { method, url, body: request.body, headers };
  const { value } = await parts.tokens.call(
    req,
    (tokens) =>
      parts.client.request(tokens, call).catch((error: unknown) => {
        // Only the app's own call is marked: a refresh on the way failed at the login provider.
        if (typeof error === 'object' && error !== null) apiCallFailures.add(error);
        throw error;
      }),
    { deadline: parts.tokens.deadline() },
  );
  return value as T;
}

/** Errors of the app's own provider calls (`auth.api()`), so error pages can name the API. */
const apiCallFailures = new WeakSet<object>();

/** True when `error` came from the provider's API answering the app's own `auth.api()` call. */
export function failedInApiCall(error: unknown): boolean {
  return typeof error === 'object' && error !== null && apiCallFailures.has(error);
}

/** `GET path` through {@link api}: the same confinement, token path and errors. */
export async function apiGet<T = unknown>(parts: AuthParts, req: Request, path: string): Promise<T> {
  return api<T>(parts, req, { path });
}
