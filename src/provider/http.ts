import { ProviderError } from '../errors.js';
import { parseJson } from '../util/json.js';
import { tracedProviderCall } from '../telemetry/provider-span.js';

/** A provider answer, read in full within the deadline and the size cap. */
export interface ProviderAnswer {
  status: number;
  headers: Headers;
  /** The body parsed as JSON, or `undefined` when it is not valid JSON. */
  json: unknown;
  /** True when the body was empty (a 204, or a 2xx that says nothing). */
  empty?: boolean;
}

/** Limits every provider call runs under. */
export interface HttpLimits {
  /** Total deadline for the call, headers and body, in milliseconds. */
  timeoutMs: number;
  /** Largest body read, in bytes. */
  maxBodyBytes: number;
  /** The fetch implementation (injected by tests and by users behind proxies). */
  fetch: typeof globalThis.fetch;
}

/**
 * Sends one request and reads the whole answer. Never follows a redirect (a token or a secret
 * must not travel to another host), aborts at the deadline, and stops reading at the size cap.
 * Network failures, timeouts and oversized bodies become {@link ProviderError}s; every HTTP
 * status is returned to the caller, which maps it with `answerToError`. Each call is a client
 * span when OpenTelemetry is there.
 */
export function send(url: string, init: RequestInit, limits: HttpLimits): Promise<ProviderAnswer> {
  return tracedProviderCall(url, init.method ?? 'GET', async () => {
    const { response, deadline } = await open(url, init, limits);
    return readAnswer(response, deadline, limits);
  });
}

/** A provider answer whose body is not read yet, and the deadline its reading runs under. */
export interface OpenAnswer {
  response: Response;
  /** Aborts at the call's deadline, body included. */
  deadline: AbortSignal;
}

/**
 * Sends one request and resolves as soon as the answer's headers arrive, for callers that
 * stream the body (the API proxy). The same rules as {@link send}: no redirects, one deadline
 * for the whole exchange (the body's reading included), typed transport errors.
 */
export async function open(url: string, init: RequestInit, limits: HttpLimits): Promise<OpenAnswer> {
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  try {
    const response = await limits.fetch(url, { ...init, redirect: 'manual', signal: deadline });
    return { response, deadline };
  } catch (error) {
    throw transportError(error, deadline, limits.timeoutMs);
  }
}

/** Reads an opened answer in full, within its deadline and the size cap. */
export async function readAnswer(
  response: Response,
  deadline: AbortSignal,
  limits: HttpLimits,
): Promise<ProviderAnswer> {
  let text: string;
  try {
    text = await readCapped(response, limits.maxBodyBytes);
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    throw transportError(error, deadline, limits.timeoutMs);
  }
  return { status: response.status, headers: response.headers, json: parseJson(text), empty: text.trim() === '' };
}

/** The typed error for a failed exchange: a timeout when the deadline fired, else a network error. */
export function transportError(error: unknown, deadline: AbortSignal, timeoutMs: number): ProviderError {
  if (deadline.aborted) {
    return new ProviderError('timeout', `The provider did not answer within ${timeoutMs} ms.`);
  }
  // No `cause`: a fetch error's message can quote a header value (an invalid Authorization header
  // is quoted whole), and causes end up in application logs. Only a system error code is kept.
  const code = systemCode(error);
  return new ProviderError(
    'network',
    `Could not reach the provider${code ? ` (${code})` : ''}. Check its URL and the network.`,
  );
}

/** `ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`…: the error's (or its cause's) code, when it is one. */
function systemCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 3; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(maxBytes, response.status);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes, response.status);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function tooLarge(maxBytes: number, status: number): ProviderError {
  return new ProviderError('too_large', `The provider's answer exceeded ${maxBytes} bytes.`, {
    providerStatus: status,
  });
}
