import { TemporarilyUnavailableError } from '../errors.js';
import { logger } from '../log.js';

const log = logger('store');

// Client errors of node-redis (v4 to v6) and ioredis that mean "no answer from Redis now". The
// classes set no `name`, so their constructor's name is what tells them apart.
const CLIENT_ERRORS = new Set([
  'ClientOfflineError',
  'ClientClosedError',
  'SocketClosedUnexpectedlyError',
  'ConnectionTimeoutError',
  'SocketTimeoutError',
  'TimeoutError',
  'ReconnectStrategyError',
  'RootNodesUnavailableError',
  'MaxCommandRedirectionsError',
  'DisconnectsClientError',
  'SocketTimeoutDuringMaintenanceError',
  'CommandTimeoutDuringMaintenanceError',
  'MaxRetriesPerRequestError',
  'ClusterAllFailedError',
  'StoreTimeoutError',
]);

// Replies a Redis server gives while it fails over, loads, or moves slots: all pass on their own.
const PASSING_REPLY = /^(CLUSTERDOWN|TRYAGAIN|READONLY|MOVED|ASK|LOADING|MASTERDOWN|NOREPLICAS|BUSY)\b/;

// ioredis, and node-redis's Sentinel client when it gives up rediscovering the master, say it in
// plain errors.
const PLAIN_MESSAGES = [
  'Connection is closed.',
  "Stream isn't writeable",
  'All sentinels are unreachable',
  'Failed to refresh slots cache',
  "Cluster isn't ready",
  'None of startup nodes is available',
  'no valid master node',
  'None of the sentinels are available',
  "Couldn't connect to any sentinel node",
  "couldn't connect to any sentinels",
  'Master Node Not Enumerated',
];

/** A store call that got no answer within its time limit. */
export class StoreTimeoutError extends Error {
  override name = 'StoreTimeoutError';
  constructor(ms: number) {
    super(`The store did not answer within ${ms} ms.`);
  }
}

// A socket's own errors: a client passes them on for the commands in flight when Redis goes.
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * True for an error that means the session or token store (Redis, a cluster, a Sentinel-managed
 * master) cannot answer now, for a reason that passes: offline or closed client, lost socket,
 * time limit, failover replies (`CLUSTERDOWN`, `TRYAGAIN`, `READONLY`, `MOVED`…), a Sentinel
 * client that found no master (`no valid master node`). Errors that
 * stay (wrong arguments, wrong password) are not outages and keep their 500. A bare socket error
 * (`ECONNRESET`…) counts only when it surely came from the store (`fromStore`): elsewhere it may
 * be any connection of the app's.
 */
export function isStoreOutage(error: unknown, fromStore = false): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (fromStore && typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if (CLIENT_ERRORS.has(error.constructor.name) || CLIENT_ERRORS.has(error.name)) return true;
  if (PASSING_REPLY.test(error.message)) return true;
  return PLAIN_MESSAGES.some((text) => error.message.startsWith(text));
}

/**
 * What a store error may carry up as `cause`: its class name, message (capped) and code, never
 * the command or its arguments (ioredis attaches them, and they hold token sets and session ids).
 */
export function safeStoreError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error('The store failed with a non-error value.');
  const copy = new Error(error.message.slice(0, 300));
  copy.name = error.constructor.name === 'Error' ? error.name : error.constructor.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(copy, { code });
  return copy;
}

/**
 * The 503 `store_unavailable` answered for a failed store call, with the store's error (made
 * safe) as `cause`, and logged under `passport-synergyflow:store`: never swallowed in silence.
 */
export function storeUnavailable(error: unknown, during: string): TemporarilyUnavailableError {
  const cause = safeStoreError(error);
  log('%s failed: %s: %s', during, cause.name, cause.message || '(no message)');
  return new TemporarilyUnavailableError('store_unavailable', 1, { cause });
}
