import type { Request } from 'express';

/** True when the client is a browser navigating (HTML wanted), not an API client or XHR. */
export function wantsHtml(req: Request): boolean {
  if (req.get('x-requested-with')?.toLowerCase() === 'xmlhttprequest') return false;
  return req.accepts(['json', 'html']) === 'html';
}

/** True for requests a redirect may answer (a redirected POST would lose its body). */
export function isNavigation(req: Request): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && wantsHtml(req);
}
