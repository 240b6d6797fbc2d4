/* global document, location */
// A single-page app with no token in the browser: it asks the server who is logged in
// (GET /auth/session), calls the provider's API through the server's proxy (/bff/…), and sends
// the anti-forgery header on every call. The session cookie is HttpOnly; tokens never leave
// the server.
const api = document.querySelector('meta[name="api"]').content;
const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

function call(path, init = {}, antiForgery = true) {
  return fetch(api + path, {
    credentials: 'include',
    ...init,
    headers: { Accept: 'application/json', ...(antiForgery ? { 'X-CSRF': '1' } : {}), ...init.headers },
  });
}

async function show(answer) {
  const text = answer.status === 204 ? '' : await answer.text();
  $('output').textContent = `${answer.status} ${text}`;
}

async function render() {
  const session = await (await call('/auth/session')).json();
  $('status').textContent = session.loggedIn ? `Signed in as ${session.user.name}` : 'Not signed in';
  $('health').textContent = session.loggedIn
    ? `health: ${session.health}; access token until ${session.accessTokenExpiresAt}; login until ${session.loginExpiresAt}`
    : `health: ${session.health}`;
  const login = $('login');
  login.href = `${api}/auth/login?returnTo=${encodeURIComponent(location.href)}`;
  login.hidden = session.loggedIn;
}

$('call').addEventListener('click', async () => show(await call('/bff/api/user')));
$('forged').addEventListener('click', async () => show(await call('/bff/api/user', {}, false)));
$('logout').addEventListener('click', async () => {
  await show(await call('/auth/logout', { method: 'POST' }));
  await render();
});
render().catch((error) => ($('status').textContent = `Could not reach the API: ${error.message}`));
