import type { Attributes, Span } from '@opentelemetry/api';
import { otel, type Otel } from './otel-api.js';

/** The instrumentation scope of every span and instrument of the package. */
export const SCOPE = 'passport-synergyflow';

/**
 * A low-cardinality name for what failed, safe as an attribute: the package's error code (and
 * `reason` or `kind`, which are fixed words), or the error's class. Never its message.
 */
export function errorType(error: unknown): string {
  const { code, reason, kind } = (error ?? {}) as { code?: unknown; reason?: unknown; kind?: unknown };
  const word = (value: unknown): value is string => typeof value === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(value);
  const detail = word(reason) ? reason : word(kind) ? kind : undefined;
  if (word(code)) return detail ? `${code}:${detail}` : code;
  return error instanceof Error ? error.constructor.name : 'error';
}

/** Marks a span failed with {@link errorType}; no exception event (messages may quote input). */
export function failSpan(api: Otel, span: Span, error: unknown): void {
  const type = errorType(error);
  span.setAttribute('error.type', type);
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: type });
}

/**
 * Runs `work` inside an active span when `@opentelemetry/api` is installed, and plainly
 * otherwise. The span ends when `work` settles; a rejection marks it failed.
 */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  work: (span: Span | undefined) => Promise<T>,
  client = false,
): Promise<T> {
  const api = otel();
  if (!api) return work(undefined);
  const kind = client ? api.SpanKind.CLIENT : api.SpanKind.INTERNAL;
  return api.trace.getTracer(SCOPE).startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      failSpan(api, span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}
