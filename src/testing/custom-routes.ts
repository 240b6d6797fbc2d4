import type { Request, Response } from 'express';
import type { ApiGrant } from './api-access.js';

/** What a route registered with `emulator.route()` receives. */
export interface EmulatedRequest {
  method: string;
  /** The path, without the query. */
  path: string;
  /** Values of the `:name` segments of the registered path. */
  params: Record<string, string>;
  query: Record<string, string>;
  /** The JSON body, when one was sent. */
  body: unknown;
  /** The body's bytes, when one that is not JSON was sent (an upload). */
  bytes: Buffer | undefined;
  headers: Request['headers'];
  /** The emulated user the access token belongs to. */
  userId: number;
  /** The scopes the access token was granted. */
  scopes: readonly string[];
}

/** What a registered route answers: a status (default 200), a JSON body or bytes, headers. */
export interface EmulatedAnswer {
  status?: number;
  body?: unknown;
  /** Sent as they are instead of `body` (`Content-Type` defaults to `application/octet-stream`). */
  bytes?: Uint8Array;
  headers?: Record<string, string>;
}

/** A handler of `emulator.route()`: answers a request made with a valid token. */
export type EmulatedRouteHandler = (req: EmulatedRequest) => EmulatedAnswer | Promise<EmulatedAnswer>;

/** Options of `emulator.route()`. */
export interface EmulatedRouteOptions {
  /** A scope the token must have: without it the route answers 403 `insufficient_scope`. */
  scope?: string;
}

interface Route {
  method: string;
  path: string;
  pattern: RegExp;
  names: string[];
  handler: EmulatedRouteHandler;
  scope: string | undefined;
}

/** What serving an added route needs from the emulator: the same gate as `/api/user`. */
export interface RouteGate {
  /** Counts and records the call (with its JSON body, if any). */
  record(json: unknown): void;
  /** Answers as forced for the route's path (`failNext`, `failFor`); true when it did. */
  forced(path: string): boolean;
  /** Bearer token, rate limit and scope; answers the refusal and gives `undefined` when refused. */
  check(scope: string | undefined): ApiGrant | undefined;
  /** The emulator's base URL. */
  url: string;
}

/** Routes an app's tests add to the emulated API, matched by method and path (`:name` segments). */
export class CustomRoutes {
  readonly #routes: Route[] = [];

  /** Adds (or replaces) the route for `method` and `path`. */
  add(method: string, path: string, handler: EmulatedRouteHandler, options: EmulatedRouteOptions = {}): void {
    if (!/^\/[\w\-./:~]*$/.test(path))
      throw new TypeError(`emulator.route: "${path}" is not a path such as /api/things/:id`);
    const names: string[] = [];
    const source = path
      .split('/')
      .map((segment) => {
        if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(segment.slice(1));
        return '([^/]+)';
      })
      .join('/');
    const upper = method.toUpperCase();
    const index = this.#routes.findIndex((r) => r.method === upper && r.path === path);
    const route = { method: upper, path, pattern: new RegExp(`^${source}$`), names, handler, scope: options.scope };
    if (index >= 0) this.#routes[index] = route;
    else this.#routes.push(route);
  }

  /** The route for a request, with its path parameters; `undefined` when none matches. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const found = route.pattern.exec(path);
      if (!found) continue;
      const params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? '')]));
      return { route, params };
    }
    return undefined;
  }

  /** True when some route has this path, whatever its method (a wrong method is 405). */
  hasPath(path: string): boolean {
    return this.#routes.some((route) => route.pattern.test(path));
  }

  /** Serves a request with the route it matches, behind `gate`; `next()` when no route has its path. */
  serve(req: Request, res: Response, next: () => void, gate: RouteGate): void {
    const found = this.match(req.method, req.path);
    if (!found) {
      if (!this.hasPath(req.path)) return next();
      res.status(405).json({ message: 'The method is not supported for this route.' });
      return;
    }
    const bytes = Buffer.isBuffer(req.body) ? req.body : undefined;
    const body: unknown = bytes ? undefined : req.body;
    gate.record(body);
    if (gate.forced(found.route.path)) return;
    const grant = gate.check(found.route.scope);
    if (!grant) return;
    const query = Object.fromEntries(new URL(req.originalUrl, gate.url).searchParams);
    void answerWith(res, () =>
      found.route.handler({
        method: req.method,
        path: req.path,
        params: found.params,
        query,
        body,
        bytes,
        headers: req.headers,
        userId: grant.userId,
        scopes: grant.scopes,
      }),
    );
  }
}

/** Sends a handler's answer (or a 500 when the handler threw). */
export async function answerWith(res: Response, work: () => EmulatedAnswer | Promise<EmulatedAnswer>): Promise<void> {
  let answer: EmulatedAnswer;
  try {
    answer = await work();
  } catch {
    answer = { status: 500, body: { message: 'Server Error' } };
  }
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
  const status = answer.status ?? 200;
  if (answer.bytes !== undefined) {
    if (!res.hasHeader('content-type')) res.type('application/octet-stream');
    res.status(status).end(Buffer.from(answer.bytes));
  } else if (answer.body === undefined) res.status(status).end();
  else res.status(status).json(answer.body);
}
