import { AsyncResource } from 'node:async_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { correlate, logger } from '../log.js';
import { otel } from './otel-api.js';
import { SCOPE } from './spans.js';

/**
 * A middleware mounted before the login and callback handlers: the request gets a short
 * correlation id for its debug lines, one line says how it was answered, and, when
 * OpenTelemetry is there, a span (`synergyflow.login`, `synergyflow.callback`) lasts until the
 * answer is sent, with its status code. The handler runs with the span active, so its provider
 * calls and store operations become the span's children.
 */
export function observedRoute(route: 'login' | 'callback'): RequestHandler {
  const log = logger(route);
  return (req: Request, res: Response, next: NextFunction) => {
    const api = otel();
    // The hot path when nobody looks: no listener, no id, no span.
    if (!api && !log.enabled) return next();
    correlate(req, () => {
      const started = performance.now();
      const span = api?.trace.getTracer(SCOPE).startSpan(`synergyflow.${route}`);
      let ended = false;
      // Bound to the request's context, whichever context the stream emits from.
      const end = AsyncResource.bind((): void => {
        if (ended) return;
        ended = true;
        log('%s answered %d in %d ms', route, res.statusCode, Math.round(performance.now() - started));
        if (!api || !span) return;
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 400) {
          span.setAttribute('error.type', String(res.statusCode));
          span.setStatus({ code: api.SpanStatusCode.ERROR });
        }
        span.end();
      });
      res.once('finish', end);
      res.once('close', end);
      if (!api || !span) return next();
      api.context.with(api.trace.setSpan(api.context.active(), span), () => next());
    });
  };
}
