import { prefixRefusal } from '../login/refused-cookies.js';

/** One answer seen by the {@link TestBrowser}. */
export interface BrowserResponse {
  url: string;
  status: number;
  headers: Headers;
  text: string;
  /** The absolute redirect target, when the answer is a redirect. */
  location: string | undefined;
}

/** Options of one browser request. */
export interface BrowserRequest {
  method?: string;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** Follow redirects (default true); each hop is kept in `history`. */
  follow?: boolean;
}

/**
 * A minimal browser for tests of apps using the plugin: a cookie jar (per host, like browsers),
 * redirects followed one hop at a time (every hop recorded), form posts with the page's own
 * `Origin`. It talks real HTTP with the global `fetch`.
 */
export class TestBrowser {
  readonly #cookies = new Map<string, Map<string, string>>();
  /** Every answer received, redirects included. */
  readonly history: BrowserResponse[] = [];
  /** Headers sent with every request (for example `Accept`). */
  readonly defaultHeaders: Record<string, string>;

  constructor(
    defaultHeaders: Record<string, string> = {
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    },
  ) {
    this.defaultHeaders = defaultHeaders;
  }

  /** The cookie header this browser would send to `url`'s host. */
  cookieHeader(url: string): string {
    const jar = this.#cookies.get(new URL(url).hostname);
    return jar ? [...jar].map(([name, value]) => `${name}=${value}`).join('; ') : '';
  }

  /** Replaces a cookie, as an attacker planting one would. */
  setCookie(url: string, name: string, value: string): void {
    const host = new URL(url).hostname;
    if (!this.#cookies.has(host)) this.#cookies.set(host, new Map());
    this.#cookies.get(host)?.set(name, value);
  }

  /** Loads `url`, following redirects unless told not to. Resolves with the last answer. */
  async request(url: string, options: BrowserRequest = {}): Promise<BrowserResponse> {
    let method = options.method ?? (options.form ? 'POST' : 'GET');
    let target = url;
    let body: string | undefined = options.form ? new URLSearchParams(options.form).toString() : undefined;
    for (let hop = 0; hop < 20; hop += 1) {
      const headers: Record<string, string> = { ...this.defaultHeaders, ...options.headers };
      const cookie = this.cookieHeader(target);
      if (cookie) headers.cookie = cookie;
      if (body !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        headers.origin ??= new URL(target).origin;
      }
      const response = await fetch(target, { method, headers, body: body ?? null, redirect: 'manual' });
      this.#store(target, response.headers.getSetCookie());
      const location = response.headers.get('location');
      const answer: BrowserResponse = {
        url: target,
        status: response.status,
        headers: response.headers,
        text: await response.text(),
        location: location ? new URL(location, target).toString() : undefined,
      };
      this.history.push(answer);
      if (!answer.location || options.follow === false || answer.status < 300 || answer.status >= 400) return answer;
      target = answer.location;
      if (answer.status !== 307 && answer.status !== 308) {
        method = 'GET';
        body = undefined;
      }
    }
    throw new Error('TestBrowser: too many redirects');
  }

  /** Submits the form on `page` whose hidden `decision` is `value` (the emulator's consent page). */
  async submitConsent(page: BrowserResponse, decision: 'approve' | 'deny'): Promise<BrowserResponse> {
    const request = /name="request" value="([^"]+)"/.exec(page.text)?.[1];
    const action = /<form method="post" action="([^"]+)"/.exec(page.text)?.[1];
    if (!request || !action) throw new Error('TestBrowser: no consent form on this page');
    return this.request(new URL(action, page.url).toString(), { form: { request, decision } });
  }

  #store(url: string, setCookies: string[]): void {
    const host = new URL(url).hostname;
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some(
        (a) =>
          /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') < Date.now()),
      );
      // Browsers drop a `__Host-` or `__Secure-` cookie that breaks its prefix's rules; so does this one.
      if (prefixRefusal(line) !== undefined) continue;
      if (!this.#cookies.has(host)) this.#cookies.set(host, new Map());
      const jar = this.#cookies.get(host) as Map<string, string>;
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
  }
}
