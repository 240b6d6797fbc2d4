import type { Request } from 'express';
import { ProxyRefusedError } from '../errors.js';

/** A request body as the proxy sends it. */
export type ProxyBody =
  | { readonly kind: 'none' }
  /** Small enough to keep: it can be sent again after a refresh. */
  | { readonly kind: 'buffered'; readonly bytes: Buffer }
  /** Larger than the replay cap: streamed once, never retried. */
  | { readonly kind: 'streamed'; readonly stream: AsyncIterable<Uint8Array>; readonly overCap: () => boolean };

/** How much of a body the proxy keeps and lets through. */
export interface BodyLimits {
  /** Largest body forwarded, in bytes. */
  readonly maxBytes: number;
  /** Bodies up to this size are kept whole, so that a 401 can be retried with them. */
  readonly replayBytes: number;
}

interface ParsedRequest {
  _body?: boolean;
  body?: unknown;
}

function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return (length !== undefined && length !== '0') || req.get('transfer-encoding') !== undefined;
}

/** A form parsed by `express.urlencoded({ extended: false })`, encoded again. */
function formBytes(fields: object): Buffer {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) form.append(name, String(item));
  }
  return Buffer.from(form.toString());
}

/**
 * A body a body parser mounted before the proxy has already read: JSON (`express.json()`) is
 * sent again as JSON, a form (`express.urlencoded()`) as a form, bytes and text as they are;
 * anything else cannot be rebuilt.
 */
function parsedBody(req: Request, limits: BodyLimits): ProxyBody {
  const { body } = req as ParsedRequest;
  let bytes: Buffer;
  if (Buffer.isBuffer(body)) bytes = body;
  else if (typeof body === 'string') bytes = Buffer.from(body);
  else if (req.is('json') && body !== undefined) bytes = Buffer.from(JSON.stringify(body));
  else if (req.is('urlencoded') && typeof body === 'object' && body !== null) bytes = formBytes(body);
  else {
    throw new Error(
      'passport-synergyflow: a body parser read this request before apiProxy(); mount the proxy before body parsers.',
    );
  }
  if (bytes.length > limits.maxBytes) throw new ProxyRefusedError('body_too_large');
  return { kind: 'buffered', bytes };
}

/**
 * Reads the request body up to the replay cap. A body that ends within it is kept whole; a
 * larger one is streamed on from where reading stopped, and fails (`overCap()` turns true) past
 * `maxBytes`. A declared `Content-Length` over `maxBytes` is refused before anything is read.
 */
export async function readProxyBody(req: Request, limits: BodyLimits): Promise<ProxyBody> {
  // body-parser 1 (Express 4) marks what it read with `_body`; body-parser 2 leaves the stream ended.
  const parsed = req as ParsedRequest;
  if (parsed._body === true || (req.readableEnded && parsed.body !== undefined)) return parsedBody(req, limits);
  if (!hasBody(req)) return { kind: 'none' };
  if (req.readableEnded) {
    throw new Error('passport-synergyflow: something read this request body before apiProxy(); mount the proxy first.');
  }
  const declared = Number(req.get('content-length'));
  if (Number.isFinite(declared) && declared > limits.maxBytes) throw new ProxyRefusedError('body_too_large');
  const source = (req as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const kept: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await source.next();
    if (done) return { kind: 'buffered', bytes: Buffer.concat(kept) };
    kept.push(value);
    size += value.length;
    if (size > limits.maxBytes) throw new ProxyRefusedError('body_too_large');
    if (size > limits.replayBytes) break;
  }
  let overCap = false;
  async function* stream(): AsyncGenerator<Uint8Array> {
    yield* kept.splice(0);
    for (;;) {
      const { done, value } = await source.next();
      if (done) return;
      size += value.length;
      if (size > limits.maxBytes) {
        overCap = true;
        throw new ProxyRefusedError('body_too_large');
      }
      yield value;
    }
  }
  return { kind: 'streamed', stream: stream(), overCap: () => overCap };
}
