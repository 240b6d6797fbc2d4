import type { IncomingMessage } from 'node:http';
import { accepts, header } from '../util/http.js';

/** True when the client is a browser navigating (HTML wanted), not an API client or XHR. */
export function wantsHtml(req: IncomingMessage): boolean {
  if (header(req, 'x-requested-with')?.toLowerCase() === 'xmlhttprequest') return false;
  return accepts(req, ['json', 'html']) === 'html';
}

/** True for requests a redirect may answer (a redirected POST would lose its body). */
export function isNavigation(req: IncomingMessage): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && wantsHtml(req);
}
