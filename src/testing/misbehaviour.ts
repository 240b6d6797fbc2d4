import type { Response } from 'express';

/**
 * A forced answer for the next call(s) of an endpoint:
 * - `{ status, body?, headers? }`: that status and JSON body;
 * - `'hang'`: never answer (the socket stays open until the emulator closes);
 * - `'html'`: 200 with an HTML page instead of JSON;
 * - `'garbage'`: 200 with a body that is not JSON;
 * - `'huge'`: 200 with a 5 MB JSON body;
 * - `'slow-body'`: headers at once, then one byte per second;
 * - `{ redirect }`: a 302 to that URL.
 */
export type Misbehaviour =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | 'hang'
  | 'html'
  | 'garbage'
  | 'huge'
  | 'slow-body'
  | { redirect: string };

/** Endpoints whose answers can be forced. */
export type EmulatedEndpoint = 'token' | 'user' | 'revoke';

/** Laravel's own error bodies for the API's statuses. */
export const LARAVEL_MESSAGES: Record<number, string> = {
  401: 'Unauthenticated.',
  403: 'Invalid scope(s) provided.',
  429: 'Too Many Attempts.',
  500: 'Server Error',
};

/** Answers `res` with the misbehaviour; returns the timer of a slow body so `close()` can stop it. */
export function misbehave(res: Response, how: Misbehaviour): void {
  if (how === 'hang') return;
  if (how === 'html') {
    res.status(200).type('html').send('<!doctype html><title>Login</title><h1>Please sign in</h1>');
    return;
  }
  if (how === 'garbage') {
    res.status(200).type('json').send('{"access_token": "tru');
    return;
  }
  if (how === 'huge') {
    res
      .status(200)
      .type('json')
      .send(`{"padding":"${'x'.repeat(5 * 1024 * 1024)}"}`);
    return;
  }
  if (how === 'slow-body') {
    res.status(200).type('json');
    res.flushHeaders();
    const timer = setInterval(() => {
      if (res.destroyed) clearInterval(timer);
      else res.write(' ');
    }, 1000);
    res.on('close', () => clearInterval(timer));
    return;
  }
  if ('redirect' in how) {
    res.redirect(302, how.redirect);
    return;
  }
  res.status(how.status);
  for (const [name, value] of Object.entries(how.headers ?? {})) res.setHeader(name, value);
  res.json(how.body ?? { message: LARAVEL_MESSAGES[how.status] ?? 'Error' });
}
