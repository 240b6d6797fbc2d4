import type { SynergyFlowError, SynergyFlowProfile } from 'passport-synergyflow';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and attribute values (the app's own: the package exports none). */
function e(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** The page frame: one stylesheet, no script, nothing from another origin. */
export function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} · Acme Notes</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header class="bar"><a class="brand" href="/">Acme Notes</a><span class="tag">passport-synergyflow example</span></header>
<main>${body}</main>
</body>
</html>`;
}

/** A POST form with the CSRF token, as one button. */
function action(path: string, label: string, csrf: string, style = ''): string {
  return `<form method="post" action="${e(path)}"><input type="hidden" name="_csrf" value="${e(csrf)}"><button class="${style}" type="submit">${e(label)}</button></form>`;
}

/** Home page: the login button, or a link to the dashboard. */
export function homePage(user: SynergyFlowProfile | undefined, mode: string): string {
  const cta = user
    ? `<p>Signed in as <strong>${e(user.name)}</strong>.</p><p><a class="button primary" href="/dashboard">Open your dashboard</a></p>`
    : `<p><a class="button primary" href="/auth/login?returnTo=%2Fdashboard">Log in with SynergyFlow Pro</a></p>`;
  return layout(
    'Welcome',
    `<section class="card hero"><h1>Your notes, signed in with SynergyFlow Pro</h1>
<p>This small app adds “Log in with SynergyFlow Pro” to an Express server with <code>passport-synergyflow</code>: the login, the token refresh and the error pages you see are the package's.</p>
${cta}<p><a href="/spa.html">The same as a single-page app</a> (no tokens in the browser)</p><p class="muted">Provider: ${e(mode)}</p></section>`,
  );
}

/** What the dashboard shows about the session. */
export interface DashboardFacts {
  user: SynergyFlowProfile;
  expiresAt: number | undefined;
  profileLoadedAt: number | undefined;
  refreshes: number;
  csrf: string;
  demo: boolean;
  notice?: string | undefined;
}

const time = (ms: number | undefined): string =>
  ms === undefined ? 'unknown' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

/** The protected dashboard: profile, token facts, and the misbehaviour buttons. */
export function dashboardPage(facts: DashboardFacts): string {
  const { user } = facts;
  const verified = user.emailVerified ? '<span class="ok">verified</span>' : '<span class="warn">not verified</span>';
  const demo = facts.demo
    ? `<section class="card"><h2>Make the provider misbehave</h2>
<p class="muted">Each button changes the emulator's next answer, then reloads this page with a fresh profile load.</p>
<div class="actions">${[
        ['expire', 'Expire the access token'],
        ['revoke', 'Revoke all tokens'],
        ['forbidden', 'Answer 403'],
        ['ratelimit', 'Answer 429'],
        ['error', 'Answer 500'],
        ['hang', 'Hang'],
      ]
        .map(([name, label]) => action(`/demo/${name}`, label ?? '', facts.csrf))
        .join('')}</div>
<p class="muted">The same errors as JSON: <a href="/api/me">/api/me</a></p></section>`
    : '';
  return layout(
    'Dashboard',
    `${facts.notice ? `<p class="notice" role="status">${e(facts.notice)}</p>` : ''}
<section class="card"><h1>Hello, ${e(user.name)}</h1>
<dl class="facts">
<dt>Email</dt><dd>${e(user.email ?? 'not shared')} (${verified})</dd>
<dt>SynergyFlow user id</dt><dd>${e(user.id)}</dd>
<dt>Access token expires</dt><dd>${e(time(facts.expiresAt))}</dd>
<dt>Profile loaded from <code>/api/user</code></dt><dd>${e(time(facts.profileLoadedAt))}</dd>
<dt>Token refreshes seen by this server</dt><dd data-testid="refreshes">${facts.refreshes}</dd>
</dl>
${action('/auth/logout', 'Log out', facts.csrf, 'secondary')}</section>
${demo}`,
  );
}

const FAILURES: Record<string, string> = {
  access_denied: 'You cancelled the consent screen, so you are not logged in. You can try again whenever you like.',
  expired: 'The login took too long and expired. Please start again.',
  unknown_state: 'This login link was already used or belongs to another browser. Please start again.',
};

/** The page a failed login lands on, in plain words. */
export function loginFailedPage(reason: string): string {
  const text = FAILURES[reason] ?? 'The login did not complete. Please start again.';
  return layout(
    'Login did not complete',
    `<section class="card"><h1>Login did not complete</h1><p>${e(text)}</p><p><a class="button primary" href="/auth/login?returnTo=%2Fdashboard">Try again</a> <a class="button" href="/">Home</a></p></section>`,
  );
}

/** The app's page for the package's typed errors (browsers). */
export function errorPage(error: SynergyFlowError): string {
  const retry =
    'retryAfter' in error && typeof error.retryAfter === 'number'
      ? `<p>Try again in <strong>${error.retryAfter}</strong> seconds.</p>`
      : '';
  const titles: Record<string, string> = {
    SF_RATE_LIMITED: 'Slow down: SynergyFlow Pro rate-limited us',
    SF_FORBIDDEN: 'SynergyFlow Pro refused: missing permission',
    SF_PROVIDER_ERROR: 'SynergyFlow Pro is not answering properly',
  };
  return layout(
    'Something went wrong',
    `<section class="card"><h1>${e(titles[error.code] ?? 'Something went wrong')}</h1><p>${e(error.message)}</p>${retry}
<p class="muted">Error code <code>${e(error.code)}</code>, HTTP ${error.status}.</p><p><a class="button primary" href="/dashboard">Back to the dashboard</a></p></section>`,
  );
}
