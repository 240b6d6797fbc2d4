import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { otel } from './otel-api.js';
import { SCOPE } from './spans.js';

/**
 * A middleware that opens a span for the route after it (the login, the callback), lasting until
 * the answer is sent, with its status code. The route runs with the span active, so its provider
 * calls and store operations become the span's children. Mounted before the handler:
 * `router.get(path, routeSpan('synergyflow.login'), handler)`.
 */
export function routeSpan(name: string): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    const api = otel();
    if (!api) return next();
    const span = api.trace.getTracer(SCOPE).startSpan(name, { kind: api.SpanKind.INTERNAL });
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 400) {
        span.setAttribute('error.type', String(res.statusCode));
        span.setStatus({ code: api.SpanStatusCode.ERROR });
      }
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    api.context.with(api.trace.setSpan(api.context.active(), span), () => next());
  };
}
