import { randomBytes } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import type { EmulatedClient, EmulatedUser, EmulatorState } from './emulator-state.js';

/** What the authorize endpoint needs from the emulator. */
export interface AuthorizeParts {
  state: EmulatorState;
  client(clientID: string): EmulatedClient | undefined;
  user(): EmulatedUser;
  autoApprove(): boolean;
  /** Scopes the server knows; empty for a server without scopes (the scope parameter is ignored). */
  scopes: readonly string[];
  /** Where the endpoint lives. Default `/oauth/authorize`. */
  path?: string;
  /** Whether the server binds codes to a PKCE challenge. Default true. */
  pkce?: boolean;
  /** Sent as `iss` on the redirect when set (RFC 9207); Laravel Passport sends none. */
  issuer(): string | undefined;
  count(): void;
  /** Told about each valid authorization request (scope, prompt, login hint), for tests. */
  record?(request: AuthorizationRecord): void;
  /** Scopes the user withholds at consent (the grant gets the others). */
  withheld?(): readonly string[];
  /**
   * Whether the user is signed in at the provider (default: always). A signed-out user gets the
   * sign-in page, and `prompt=none` gets `error=login_required`.
   */
  signedIn?(): boolean;
  /** Told when the user approves on the page (which signs the user in). */
  approved?(): void;
}

/** An authorization request as the emulator received it. */
export interface AuthorizationRecord {
  clientID: string;
  scopes: string[];
  /** `prompt` as sent: `login` asks the user to sign in again, `consent` shows consent again. */
  prompt: string | undefined;
  loginHint: string | undefined;
}

interface PendingConsent {
  clientID: string;
  redirectURI: string;
  scopes: string[];
  state: string | undefined;
  challenge: string | undefined;
  challengeMethod: string | undefined;
  prompt: string | undefined;
}

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function single(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function back(
  res: Response,
  consent: Pick<PendingConsent, 'redirectURI' | 'state'>,
  params: Record<string, string>,
  issuer?: string,
): void {
  const url = new URL(consent.redirectURI);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  if (consent.state !== undefined) url.searchParams.set('state', consent.state);
  if (issuer) url.searchParams.set('iss', issuer);
  res.redirect(302, url.toString());
}

function consentPage(
  id: string,
  client: string,
  user: EmulatedUser,
  scopes: string[],
  action: string,
  prompt: string | undefined,
): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorize application · SynergyFlow Pro</title>
<style>body{font:16px/1.5 system-ui,sans-serif;background:#f3f4f6;margin:0;display:grid;place-items:center;min-height:100vh}
main{background:#fff;padding:2rem;border-radius:12px;box-shadow:0 4px 20px #0001;max-width:26rem}
h1{font-size:1.3rem;margin-top:0}button{font:inherit;padding:.6rem 1.2rem;border-radius:8px;border:1px solid #c7c9d1;cursor:pointer}
button.approve{background:#4f46e5;color:#fff;border-color:#4f46e5}form{display:inline}</style></head>
<body><main><p><strong>SynergyFlow Pro</strong> · signed in as ${escape(user.name)}</p>${prompt === 'login' ? '<h2>Sign in again</h2><p>Confirm it is you to continue.</p>' : ''}
<h1>Authorization request</h1><p><strong>${escape(client)}</strong> is requesting permission to access your account.</p>
<p>This application will be able to:</p><ul>${(scopes.length ? scopes : ['user:read']).map((s) => `<li>${escape(s === 'user:read' ? 'Read profile information (name, email)' : s)}</li>`).join('')}</ul>
<form method="post" action="${action}"><input type="hidden" name="request" value="${id}"><input type="hidden" name="decision" value="approve"><button class="approve" type="submit">Approve</button></form>
<form method="post" action="${action}"><input type="hidden" name="request" value="${id}"><input type="hidden" name="decision" value="deny"><button type="submit">Cancel</button></form>
</main></body></html>`;
}

/**
 * `GET /oauth/authorize` shows the consent page (or approves at once with `autoApprove`);
 * `POST /oauth/authorize` takes the decision. Unknown clients and unregistered redirect URIs get
 * an error page, never a redirect.
 */
export function authorizeRouter(parts: AuthorizeParts): Router {
  const router = Router();
  const pending = new Map<string, PendingConsent>();
  const path = parts.path ?? '/oauth/authorize';
  const action = path.slice(path.lastIndexOf('/') + 1);
  router.get(path, (req, res) => {
    parts.count();
    const clientID = single(req, 'client_id') ?? '';
    const redirectURI = single(req, 'redirect_uri') ?? '';
    const client = parts.client(clientID);
    if (!client || !client.redirectURIs.includes(redirectURI)) {
      res.status(400).type('text/plain').send('Client authentication failed or the redirect URI is not registered.');
      return;
    }
    const consent: PendingConsent = {
      clientID,
      redirectURI,
      scopes: parts.scopes.length === 0 ? [] : (single(req, 'scope') ?? 'user:read').split(' ').filter(Boolean),
      state: single(req, 'state'),
      challenge: parts.pkce === false ? undefined : single(req, 'code_challenge'),
      challengeMethod: parts.pkce === false ? undefined : single(req, 'code_challenge_method'),
      prompt: single(req, 'prompt'),
    };
    if (single(req, 'response_type') !== 'code') return back(res, consent, { error: 'unsupported_response_type' });
    if (consent.scopes.some((scope) => !parts.scopes.includes(scope)))
      return back(res, consent, { error: 'invalid_scope' });
    if (consent.challenge && consent.challengeMethod !== 'S256' && consent.challengeMethod !== 'plain') {
      return back(res, consent, {
        error: 'invalid_request',
        error_description: 'Code challenge method must be plain or S256',
      });
    }
    parts.record?.({
      clientID,
      scopes: consent.scopes,
      prompt: consent.prompt,
      loginHint: single(req, 'login_hint'),
    });
    // Laravel Passport: prompt=login signs the user in again and prompt=consent asks again, so
    // neither is approved silently. prompt=none (OpenID Connect) never shows a page: a signed-in
    // user who approved these scopes for this client before comes back with a code at once.
    const signedIn = parts.signedIn?.() ?? true;
    const interactive = consent.prompt === 'login' || consent.prompt === 'consent' || !signedIn;
    if (consent.prompt === 'none') {
      if (!signedIn) return back(res, consent, { error: 'login_required' }, parts.issuer());
      if (!parts.autoApprove() && !approvedBefore(consent)) {
        return back(res, consent, { error: 'consent_required' }, parts.issuer());
      }
      return approve(res, consent);
    }
    if (parts.autoApprove() && !interactive) return approve(res, consent);
    const id = randomBytes(16).toString('base64url');
    pending.set(id, consent);
    res.setHeader('Cache-Control', 'no-store');
    const shown = signedIn ? consent.prompt : 'login';
    res.type('html').send(consentPage(id, clientID, parts.user(), consent.scopes, action, shown));
  });
  router.post(path, express.urlencoded({ extended: false }), (req, res) => {
    const body = req.body as Record<string, unknown>;
    const id = typeof body.request === 'string' ? body.request : '';
    const consent = pending.get(id);
    pending.delete(id);
    if (!consent) {
      res.status(400).type('text/plain').send('This authorization request has expired.');
      return;
    }
    if (body.decision !== 'approve') {
      return back(
        res,
        consent,
        { error: 'access_denied', error_description: 'The resource owner or authorization server denied the request.' },
        parts.issuer(),
      );
    }
    parts.approved?.();
    approvals.add(approvalKey(consent.clientID, consent.scopes));
    approve(res, consent);
  });

  /** Consents given on the page, per client, user and scopes: `prompt=none` may skip them. */
  const approvals = new Set<string>();
  const approvalKey = (clientID: string, scopes: readonly string[]): string =>
    JSON.stringify([clientID, parts.user().id, [...scopes].sort()]);
  const approvedBefore = (consent: PendingConsent): boolean =>
    approvals.has(approvalKey(consent.clientID, consent.scopes));

  function approve(res: Response, consent: PendingConsent): void {
    const withheld = parts.withheld?.() ?? [];
    const code = parts.state.issueCode(
      {
        clientID: consent.clientID,
        userId: parts.user().id,
        scopes: consent.scopes.filter((s) => !withheld.includes(s)),
      },
      consent.redirectURI,
      consent.challenge,
      consent.challengeMethod,
    );
    back(res, consent, { code }, parts.issuer());
  }
  return router;
}
