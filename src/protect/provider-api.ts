import type { Request } from 'express';
import type { AuthParts } from '../parts.js';

/**
 * Calls a GET endpoint of the provider's API with the request's token and returns its JSON,
 * through the one token path: a fresh token first, one refresh and one retry on a 401, typed
 * errors otherwise. `path` must be a path on the provider (a token is never sent anywhere else).
 */
export async function apiGet(parts: AuthParts, req: Request, path: string): Promise<unknown> {
  const base = new URL(parts.config.baseURL);
  const url = new URL(parts.config.baseURL + path);
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || url.origin !== base.origin) {
    throw new TypeError('passport-synergyflow: apiGet takes a path on the provider, such as "/api/user".');
  }
  const target = url.toString();
  const { value } = await parts.tokens.call(req, (tokens) => parts.client.getJSON(tokens, target), {
    deadline: parts.tokens.deadline(),
  });
  return value;
}
