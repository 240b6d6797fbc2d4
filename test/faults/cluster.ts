// The rig of the fault tests: one redis-server, one emulator (in the test process) and two app
// processes of test/redis/instance.ts (the README's several-instances code), with logged-in
// users and a bounded load over both instances.
import { startSynergyFlowEmulator, type EmulatorOptions, type SynergyFlowEmulator } from 'passport-synergyflow/testing';
import { alive, freePort, startInstance, stopInstances, type Instance } from '../helpers/processes.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { logInNumberedUser } from '../helpers/users.js';

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** Logged-in users. Default 20. */
  users?: number;
  /** Access-token lifetime at the emulator, in seconds. */
  accessTokenTtlSeconds: number;
  /** Extra environment of both instances (TIMEOUT_SECONDS, REQUEST_TIMEOUT_SECONDS…). */
  env?: Record<string, string>;
  /** Redis with an append-only file, so it can be restarted without losing data. */
  persistent?: boolean;
  emulator?: EmulatorOptions;
}

/** One logged-in user: the session cookie, as the browser holds it. */
export interface User {
  id: number;
  cookie: string;
}

/** What one request met. */
export interface Outcome {
  user: number;
  /** `200`, `503 refresh_in_progress`, `401 SF_LOGIN_REQUIRED`, `connection error`… */
  answer: string;
  ms: number;
  /** When it started, in ms since the load began. */
  at: number;
  /** When it started, in ms since the epoch. */
  startedAt: number;
  /** A 200's access-token expiry (ms since the epoch), as the instance reported it. */
  expiresAt?: number | undefined;
  /** How long the instance worked on it (its X-Handled-Ms), when it answered. */
  handledMs?: number | undefined;
}

/** One request's answer: its classification, a 200's access-token expiry, the instance's time. */
export interface Visit {
  answer: string;
  expiresAt?: number | undefined;
  handledMs?: number | undefined;
}

/** Everything a fault test drives. */
export interface Cluster {
  redis: RedisServer;
  emulator: SynergyFlowEmulator;
  /** Both instances, dead or alive. */
  instances: Instance[];
  /** The instances the load balancer sends requests to. */
  rotation: Instance[];
  users: User[];
  /** Sends the load from now on only to `instances` (the load balancer's rotation). */
  route(instances: Instance[]): void;
  /** Sums the hook counters (`GET /stats`) of the instances still running. */
  stats(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts Redis, the emulator and two instances, and logs `users` users in (through the first). */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const redis = await startRedis({ persistent: options.persistent ?? false });
  const emulator = await startSynergyFlowEmulator({
    autoApprove: true,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    rateLimit: 1_000_000,
    ...options.emulator,
  });
  const ports = [await freePort(), await freePort()];
  const callbackURL = `http://127.0.0.1:${ports[0]}/auth/callback`;
  emulator.registerClient({ clientID: 'fault-client', clientSecret: 'fault-secret', redirectURIs: [callbackURL] });
  const env = {
    REDIS_URL: redis.url,
    PROVIDER_URL: emulator.url,
    CLIENT_ID: 'fault-client',
    CLIENT_SECRET: 'fault-secret',
    CALLBACK_URL: callbackURL,
    TOKEN_KEY: 'f'.repeat(64),
    ...options.env,
  };
  const instances = await Promise.all(
    ports.map((port, i) => startInstance(port, { ...env, INSTANCE: 'AB'[i] ?? '?' }, { quiet: true })),
  );
  const rotation = [...instances];
  const users: User[] = [];
  for (let id = 1; id <= (options.users ?? 20); id += 1) {
    users.push({ id, cookie: await logInNumberedUser(emulator, instances[0]!.url, id) });
  }
  emulator.resetCounters();
  return {
    redis,
    emulator,
    instances,
    rotation,
    users,
    route(next) {
      rotation.splice(0, rotation.length, ...next);
    },
    async stats() {
      const sums: Record<string, number> = {};
      for (const instance of instances.filter(alive)) {
        const answer = await fetch(`${instance.url}/stats`).catch(() => undefined);
        const counts = answer?.ok ? ((await answer.json()) as Record<string, number>) : {};
        for (const [key, value] of Object.entries(counts)) sums[key] = (sums[key] ?? 0) + value;
      }
      return sums;
    },
    async close() {
      await stopInstances(instances);
      await emulator.close();
      await redis.stop();
    },
  };
}

/** One request of `user` to `instance`'s protected route, classified. */
export async function visit(instance: Instance, user: User, timeoutMs = 30_000): Promise<string> {
  return (await visitDashboard(instance, user, timeoutMs)).answer;
}

/** {@link visit}, with the expiry of the access token a 200 was served with. */
export async function visitDashboard(instance: Instance, user: User, timeoutMs = 30_000): Promise<Visit> {
  try {
    const answer = await fetch(`${instance.url}/dashboard`, {
      headers: { accept: 'application/json', cookie: user.cookie },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await answer.text();
    const handled = answer.headers.get('x-handled-ms');
    const handledMs = handled === null ? undefined : Number(handled);
    if (answer.status === 200) {
      return { answer: '200', expiresAt: (JSON.parse(text) as { expiresAt?: number }).expiresAt, handledMs };
    }
    let error: { code?: string; reason?: string } = {};
    try {
      error = (JSON.parse(text) as { error?: typeof error }).error ?? {};
    } catch {
      // Not the package's JSON: express-session's or Express's own error page.
    }
    return { answer: `${answer.status} ${error.reason ?? error.code ?? 'non-package error'}`, handledMs };
  } catch (error) {
    return { answer: (error as Error).name === 'TimeoutError' ? 'client timeout' : 'connection error' };
  }
}

/** Options of {@link drive}. */
export interface DriveOptions {
  /** How long the load runs. */
  seconds: number;
  /** Pause between one user's requests. Default 100 ms. */
  pauseMs?: number;
  /** Concurrent request loops per user. Default 1. */
  loops?: number;
}

/** Every user sends requests in turn to the instances in rotation until the time is up. */
export async function drive(cluster: Cluster, options: DriveOptions): Promise<Outcome[]> {
  const { rotation } = cluster;
  const outcomes: Outcome[] = [];
  const start = performance.now();
  const end = start + options.seconds * 1000;
  const loop = async (user: User, offset: number): Promise<void> => {
    for (let n = offset; performance.now() < end; n += 1) {
      const instance = rotation[n % Math.max(1, rotation.length)];
      if (!instance) break;
      const at = performance.now();
      const startedAt = Date.now();
      const { answer, expiresAt, handledMs } = await visitDashboard(instance, user);
      const ms = performance.now() - at;
      outcomes.push({ user: user.id, answer, ms, at: at - start, startedAt, expiresAt, handledMs });
      await sleep(options.pauseMs ?? 100);
    }
  };
  const loops = cluster.users.flatMap((user) =>
    Array.from({ length: options.loops ?? 1 }, (_, i) => loop(user, user.id + i)),
  );
  await Promise.all(loops);
  return outcomes;
}

/** Answers of a run, counted: `{ "200": 2400, "503 refresh_in_progress": 12 }`. */
export function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { answer } of outcomes) counts[answer] = (counts[answer] ?? 0) + 1;
  return counts;
}

/** Users who were answered 401 at least once: the package sent them to log in again. */
export function loggedOut(outcomes: readonly Outcome[]): Set<number> {
  return new Set(outcomes.filter((o) => o.answer.startsWith('401')).map((o) => o.user));
}

/**
 * After the faults: every user must get a 200 from every running instance without logging in
 * again. 5xx answers (a lock lease still running out) are retried for `withinSeconds`; a 401 is
 * a lost login. Returns the users who lost theirs.
 */
export async function stillLoggedIn(cluster: Cluster, withinSeconds = 20): Promise<{ lost: number[]; ms: number }> {
  const start = performance.now();
  const lost: number[] = [];
  await Promise.all(
    cluster.users.map(async (user) => {
      for (const instance of cluster.instances.filter(alive)) {
        for (;;) {
          const answer = await visit(instance, user);
          if (answer === '200') break;
          if (answer.startsWith('401') || performance.now() - start > withinSeconds * 1000) {
            lost.push(user.id);
            return;
          }
          await sleep(250);
        }
      }
    }),
  );
  return { lost: lost.sort((a, b) => a - b), ms: performance.now() - start };
}

/** The slowest answer, in ms, as the client saw it. */
export function slowest(outcomes: readonly Outcome[]): number {
  return Math.max(0, ...outcomes.map((o) => o.ms));
}

/** The longest an instance worked on a request (X-Handled-Ms), in ms. */
export function slowestHandled(outcomes: readonly Outcome[]): number {
  return Math.max(0, ...outcomes.map((o) => o.handledMs ?? 0));
}

/** Waits until `condition` holds (checked every 10 ms), at most `timeoutMs`; returns whether it did. */
export async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > end) return false;
    await sleep(10);
  }
  return true;
}

/** Prints one scenario's figures in the test output. */
export function report(scenario: string, figures: Record<string, unknown>): void {
  console.log(`[faults] ${scenario}: ${JSON.stringify(figures)}`);
}

export { sleep };
