import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';

/** The parts of `@opentelemetry/api` the package uses (a type only: nothing is imported). */
export type Otel = typeof OtelApi;

let loaded: Otel | null | undefined;

/**
 * `@opentelemetry/api` when the app has it installed (an optional peer dependency), otherwise
 * `undefined`: then the package records nothing and costs nothing. Loaded once, on first use,
 * with `require`, which shares the API's process-wide registry (a global symbol) with the app's
 * own copy, whether the app imports it as ESM or CommonJS.
 */
export function otel(): Otel | undefined {
  if (loaded === undefined) loaded = loadOptional<Otel>('@opentelemetry/api') ?? null;
  return loaded ?? undefined;
}

/** `require(name)` from this package, or `undefined` when it is not installed. */
export function loadOptional<T>(name: string): T | undefined {
  try {
    return createRequire(import.meta.url)(name) as T;
  } catch {
    return undefined;
  }
}
