import { recordProviderAnswer } from './metrics.js';
import { otel } from './otel-api.js';
import { inSpan } from './spans.js';

/**
 * Runs one provider call in a client span named after its method, with the HTTP client
 * semantic conventions: `http.request.method`, `url.full` (without query or fragment: a
 * `code` or a token may travel there), `server.address`, `server.port`,
 * `http.response.status_code`, and `error.type` for 4xx/5xx and transport failures. Counts the
 * answer by status and notes `X-RateLimit-Remaining`.
 */
export function tracedProviderCall<Answer extends { readonly status: number; readonly headers: Headers }>(
  url: string,
  method: string,
  call: () => Promise<Answer>,
): Promise<Answer> {
  if (!otel()) return call();
  const target = new URL(url);
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const attributes = {
    'http.request.method': method,
    'url.full': `${target.protocol}//${target.host}${target.pathname}`,
    'server.address': target.hostname,
    'server.port': port,
  };
  return inSpan(
    method,
    attributes,
    async (span) => {
      const answer = await call();
      span?.setAttribute('http.response.status_code', answer.status);
      if (answer.status >= 400) span?.setAttribute('error.type', String(answer.status));
      recordProviderAnswer(target.hostname, answer.status, answer.headers.get('x-ratelimit-remaining'));
      return answer;
    },
    true,
  );
}
