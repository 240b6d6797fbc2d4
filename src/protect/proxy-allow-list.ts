import { ProxyRefusedError } from '../errors.js';

/** Methods the API proxy forwards. */
export type ProxyMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One entry of the API proxy's allow-list: a method and a path on the provider. Path segments
 * may be `:name` (any one segment); a final `/*` matches one or more further segments.
 * @example { method: 'GET', path: '/api/things/:id' }
 */
export interface ProxyRoute {
  method: ProxyMethod;
  path: string;
}

interface CompiledRoute {
  readonly method: ProxyMethod;
  readonly pattern: RegExp;
}

const METHODS = new Set<string>(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
const LITERAL = /^[A-Za-z0-9\-._~!$&'()+,;=@]+$/;
const PARAM = /^:[A-Za-z_]\w{0,63}$/;
// One segment of a request path: RFC 3986 pchar, with percent-escapes of two hex digits.
const SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+$/;

function refuse(detail: string): never {
  const error = new TypeError(`passport-synergyflow: apiProxy() option "allow" ${detail}.`);
  Object.assign(error, { code: 'ERR_INVALID_ARG_VALUE' });
  throw error;
}

function compile(entry: unknown, index: number): CompiledRoute {
  const { method, path } = (entry ?? {}) as Partial<ProxyRoute>;
  if (typeof method !== 'string' || !METHODS.has(method)) {
    refuse(`[${index}].method must be one of ${[...METHODS].join(', ')}`);
  }
  if (typeof path !== 'string' || !path.startsWith('/') || path === '/*') {
    refuse(`[${index}].path must be a path on the provider such as "/api/things/:id"`);
  }
  const segments = path.slice(1).split('/');
  const source = segments
    .map((segment, i) => {
      if (segment === '*' && i === segments.length - 1) return '(?:/[^/]+)+';
      if (PARAM.test(segment)) return '/[^/]+';
      if (LITERAL.test(segment) && segment !== '.' && segment !== '..') {
        return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
      }
      return refuse(`[${index}].path has a segment that is neither a name, ":param" nor a final "*"`);
    })
    .join('');
  return { method: method as ProxyMethod, pattern: new RegExp(`^${source}$`) };
}

/** Validates the allow-list once; a mistake is a `TypeError` naming the entry. */
export function compileAllowList(allow: unknown): readonly CompiledRoute[] {
  if (!Array.isArray(allow) || allow.length === 0) refuse('must be a non-empty list of { method, path }');
  return Object.freeze(allow.map(compile));
}

/**
 * True for a request path the proxy may forward as it is: every segment plain (no empty, `.` or
 * `..` segment, no backslash, no percent-encoded dot, slash, backslash or control character), so
 * that the path the allow-list matched is the path the provider routes.
 */
export function isPlainPath(path: string): boolean {
  if (!path.startsWith('/') || path.length > 2048) return false;
  return path
    .slice(1)
    .split('/')
    .every(
      (segment) =>
        SEGMENT.test(segment) && segment !== '.' && segment !== '..' && !/%(?:2e|2f|5c|[01][0-9a-f]|7f)/i.test(segment),
    );
}

/**
 * Checks a request against the allow-list: `undefined` when it may be forwarded, otherwise the
 * refusal (a malformed path, a path not listed, or a method not listed for the path, which says
 * the allowed ones in `Allow`).
 */
export function allowListRefusal(
  routes: readonly CompiledRoute[],
  method: string,
  path: string,
): ProxyRefusedError | undefined {
  if (!isPlainPath(path)) return new ProxyRefusedError('invalid_path');
  const matching = routes.filter((route) => route.pattern.test(path));
  if (matching.length === 0) return new ProxyRefusedError('path_not_allowed');
  if (matching.some((route) => route.method === method)) return undefined;
  const allowed = [...new Set(matching.map((route) => route.method))].join(', ');
  return new ProxyRefusedError('method_not_allowed', { Allow: allowed });
}
