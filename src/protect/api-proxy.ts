import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { LoginRequiredError, ProviderError, ProxyRefusedError } from '../errors.js';
import { logger } from '../log.js';
import type { AuthParts } from '../parts.js';
import { loggedInSubject } from '../session/session-state.js';
import type { ForwardAnswer } from '../provider/client.js';
import { transportError } from '../provider/http.js';
import type { TokenSet } from '../tokens/token-set.js';
import { noStore } from '../util/no-store.js';
import { forgeryRefusal } from './anti-forgery.js';
import { DEFAULT_ANTI_FORGERY, resolveAntiForgery, type AntiForgeryRouteOptions } from './anti-forgery-setting.js';
import { passError } from './error-handler.js';
import { allowListRefusal, compileAllowList, type ProxyRoute } from './proxy-allow-list.js';
import { readProxyBody, type BodyLimits, type ProxyBody } from './proxy-body.js';
import { copyAnswerHeaders, forwardedHeaderNames, upstreamHeaders } from './proxy-headers.js';

const log = logger('api-proxy');

/** Options of `auth.apiProxy()`. */
export interface ApiProxyOptions extends AntiForgeryRouteOptions {
  /** The methods and provider paths the proxy forwards; everything else is refused. */
  allow: readonly ProxyRoute[];
  /** Largest request body forwarded, in bytes. Default 10 MiB. */
  maxBodyBytes?: number;
  /**
   * Request bodies up to this size are kept, so that a 401 can be retried (after a refresh) with
   * them; larger ones are streamed once and not retried. Default 64 KiB.
   */
  replayBodyBytes?: number;
  /** Largest answer body passed back, in bytes. Default 10 MiB. */
  maxAnswerBytes?: number;
  /**
   * Request headers forwarded besides `Accept`, `Accept-Language`, `Content-Type`,
   * `Content-Language`, `If-*`, `Prefer` and `X-Request-Id`. Credentials, hop-by-hop, `Sec-*`
   * and `X-Forwarded-*` headers are refused.
   */
  forwardHeaders?: readonly string[];
}

interface ProxySettings {
  readonly body: BodyLimits;
  readonly maxAnswerBytes: number;
  readonly headers: ReadonlySet<string>;
}

function bytes(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1 << 30) {
    throw new TypeError(`passport-synergyflow: apiProxy() option "${option}" must be a whole number of bytes.`);
  }
  return value;
}

/** The same request's path and query on the provider; the token never goes anywhere else. */
function upstreamURL(parts: AuthParts, url: string): string {
  const target = new URL(parts.config.baseURL + url);
  if (target.origin !== new URL(parts.config.baseURL).origin) throw new ProxyRefusedError('invalid_path');
  return target.toString();
}

function pathOf(req: Request): string {
  const end = req.url.indexOf('?');
  return end === -1 ? req.url : req.url.slice(0, end);
}

/** Only a browser logged in through the package may use the proxy. */
function loginRefusal(req: Request): LoginRequiredError | undefined {
  const loggedOut = req.isAuthenticated?.() === false || loggedInSubject(req) === undefined;
  return loggedOut ? new LoginRequiredError('no_session') : undefined;
}

/**
 * Builds the API proxy: mounted under a prefix (`app.use('/bff', auth.apiProxy({ allow }))`),
 * it forwards `/bff/api/things/7?x=1` to the provider's `/api/things/7?x=1` with the user's
 * token, through the same token path as `auth.api()` (refreshed when due; one refresh and one
 * retry on a 401 when the body can be sent again). Requests must carry the anti-forgery header
 * (default `X-CSRF: 1`) and be on the allow-list; only listed request headers go upstream and
 * only listed answer headers come back. The provider's 401, 403, 429, 3xx and 5xx answers
 * become the package's JSON errors; 2xx and other 4xx answers are streamed back as they are.
 */
export function createApiProxy(parts: AuthParts, options: ApiProxyOptions): RequestHandler {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('passport-synergyflow: apiProxy() takes { allow: [{ method, path }, …] }.');
  }
  const routes = compileAllowList(options.allow);
  const inherited = parts.config.antiForgery ?? DEFAULT_ANTI_FORGERY;
  const antiForgery = resolveAntiForgery(options.antiForgery, 'apiProxy antiForgery', inherited);
  const maxBytes = bytes(options.maxBodyBytes, 'maxBodyBytes', 10 << 20);
  const settings: ProxySettings = {
    body: { maxBytes, replayBytes: Math.min(maxBytes, bytes(options.replayBodyBytes, 'replayBodyBytes', 64 << 10)) },
    maxAnswerBytes: bytes(options.maxAnswerBytes, 'maxAnswerBytes', 10 << 20),
    headers: forwardedHeaderNames(options.forwardHeaders),
  };
  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    noStore(res);
    const refusal =
      forgeryRefusal(req, antiForgery, false) ?? allowListRefusal(routes, req.method, pathOf(req)) ?? loginRefusal(req);
    const fail = (error: unknown): void => {
      // An unread upload is not worth reading to its end just to keep the connection.
      const unread = !req.readableEnded && (req.get('content-length') ?? '0') !== '0';
      const streaming = req.get('transfer-encoding') !== undefined && !req.readableEnded;
      if (!res.headersSent && (unread || streaming)) {
        res.setHeader('Connection', 'close');
      }
      passError(parts, middleware, error, req, res, next);
    };
    if (refusal) return fail(refusal);
    forward(parts, settings, req, res).catch(fail);
  };
  return middleware;
}

async function forward(parts: AuthParts, settings: ProxySettings, req: Request, res: Response): Promise<void> {
  const body = await readProxyBody(req, settings.body);
  const url = upstreamURL(parts, req.url);
  const headers = upstreamHeaders(req, settings.headers);
  let attempts = 0;
  const send = async (tokens: TokenSet): Promise<ForwardAnswer> => {
    attempts += 1;
    // A streamed body is gone after the first attempt: the token is renewed, the browser resends.
    if (attempts > 1 && body.kind === 'streamed') throw new ProxyRefusedError('upload_not_retried');
    return parts.client.forward(tokens, { method: req.method, url, headers, body: bodyOf(body) });
  };
  let answer: ForwardAnswer;
  try {
    ({ value: answer } = await parts.tokens.call(req, send, { deadline: parts.tokens.deadline() }));
  } catch (error) {
    if (body.kind === 'streamed' && body.overCap()) throw new ProxyRefusedError('body_too_large');
    throw error;
  }
  log('%s %s -> %d', req.method, pathOf(req), answer.status);
  await relay(answer, res, settings.maxAnswerBytes, parts.config.timeoutMs);
}

function bodyOf(body: ProxyBody): Uint8Array | AsyncIterable<Uint8Array> | undefined {
  if (body.kind === 'buffered') return body.bytes;
  return body.kind === 'streamed' ? body.stream : undefined;
}

function tooLarge(max: number, status: number): ProviderError {
  return new ProviderError('too_large', `The provider's answer exceeded ${max} bytes.`, { providerStatus: status });
}

/**
 * Streams the provider's answer to the browser within the answer cap and the call's deadline.
 * Before the first byte is sent a failure is a typed error; after it, the connection is cut
 * (a truncated answer must not look complete).
 */
async function relay(answer: ForwardAnswer, res: Response, max: number, timeoutMs: number): Promise<void> {
  const declared = Number(answer.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await answer.body?.cancel().catch(() => undefined);
    throw tooLarge(max, answer.status);
  }
  res.status(answer.status);
  copyAnswerHeaders(answer.headers, res);
  if (!answer.body) return void res.end();
  const reader = answer.body.getReader();
  const gone = (): void => void reader.cancel().catch(() => undefined);
  res.once('close', gone);
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) throw tooLarge(max, answer.status);
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    if (res.headersSent) return void res.destroy();
    throw error instanceof ProviderError ? error : transportError(error, answer.deadline, timeoutMs);
  } finally {
    res.off('close', gone);
  }
}

function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
