// Redis Sentinel as a first-class deployment: the README's Sentinel recipe (node-redis
// createSentinel() for the token store, the coordinator and connect-redis) against a master, a
// replica and three sentinels that the test starts. Logged-in users keep requesting, with
// refreshes falling due (3 s tokens), while the master is killed, or frozen as in a partition and
// then let go (it comes back as a replica): every answer is a 200 or a 503 with Retry-After,
// never a 500, until the promoted replica serves, and no login is lost. The deployments run where
// .ci/run sets REDIS_CLUSTER_TESTS=1; the README check runs everywhere.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startSynergyFlowEmulator, type SynergyFlowEmulator } from 'passport-synergyflow/testing';
import { codeBlocks, section } from '../helpers/readme.js';
import { skipRedis } from '../helpers/redis.js';
import { runClusterTests } from '../helpers/redis-cluster.js';
import { startRedisSentinel, type RedisSentinel } from '../helpers/redis-sentinel.js';
import { logInNumberedUser } from '../helpers/users.js';
import { startSentinelApp, type SentinelApp } from './sentinel-app.js';

const USERS = 10;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One request of the load: its answer, and when it started and ended (performance.now()). */
interface Seen {
  answer: string;
  retryAfter: string | null;
  from: number;
  to: number;
}

/** `200`, `503 store_unavailable`, `500 non-package error`, `connection error`… */
async function visit(app: SentinelApp, cookie: string): Promise<Omit<Seen, 'from' | 'to'>> {
  try {
    const res = await fetch(`${app.url}/dashboard`, {
      headers: { accept: 'application/json', cookie },
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let reason = 'non-package error';
    try {
      const { error } = JSON.parse(text) as { error?: { code?: string; reason?: string } };
      reason = error?.reason ?? error?.code ?? reason;
    } catch {
      // Express's own error page.
    }
    const answer = res.status === 200 ? '200' : `${res.status} ${reason}`;
    return { answer, retryAfter: res.headers.get('retry-after') };
  } catch (error) {
    const answer = (error as Error).name === 'TimeoutError' ? 'client timeout' : 'connection error';
    return { answer, retryAfter: null };
  }
}

/** The user's first answer that is a 200 or a 401, asking every 250 ms for 15 s at most. */
async function servedAgain(app: SentinelApp, cookie: string): Promise<string> {
  let last = '';
  for (const deadline = performance.now() + 15_000; performance.now() < deadline; await sleep(250)) {
    last = (await visit(app, cookie)).answer;
    if (last === '200' || last.startsWith('401')) break;
  }
  return last;
}

/** Everything one test started: the deployment, the emulator, the app and its logged-in users. */
interface Setup {
  deployment: RedisSentinel;
  emulator: SynergyFlowEmulator;
  app: SentinelApp;
  cookies: string[];
}

const started: Array<Partial<Setup>> = [];

async function start(): Promise<Setup> {
  const setup: Partial<Setup> = {};
  started.push(setup);
  const deployment = (setup.deployment = await startRedisSentinel());
  // Tokens of 3 s: refreshes (the lock, compare-and-swap writes) go on through the failover.
  const emulator = (setup.emulator = await startSynergyFlowEmulator({
    autoApprove: true,
    rateLimit: 1_000_000,
    accessTokenTtlSeconds: 3,
  }));
  const app = (setup.app = await startSentinelApp(deployment.sentinels, emulator));
  const cookies: string[] = [];
  for (let id = 1; id <= USERS; id += 1) {
    cookies.push(await logInNumberedUser(emulator, app.url, id));
  }
  return { deployment, emulator, app, cookies };
}

/**
 * Every user requests in turn (50 ms apart); `fault` strikes once each has been served and 1 s
 * more has passed. The load goes on until the first 200 after the fault plus 2 s, and at least
 * `minMs` after it.
 */
async function failover(setup: Setup, fault: () => Promise<void>, minMs: number): Promise<Record<string, unknown>> {
  const { app, cookies, deployment, emulator } = setup;
  let faultAt = Number.POSITIVE_INFINITY;
  let windowMs: number | undefined;
  const seen: Seen[] = [];
  const served = new Set<string>();
  const loops = cookies.map(async (cookie) => {
    for (;;) {
      const now = performance.now() - faultAt;
      if (now > 25_000 || (windowMs !== undefined && now > Math.max(windowMs + 2_000, minMs))) return;
      const from = performance.now();
      const answer = await visit(app, cookie);
      const to = performance.now();
      seen.push({ ...answer, from, to });
      if (answer.answer === '200' && to < faultAt) served.add(cookie);
      // A 200 asked after the fault came from the promoted master (the session is read first).
      if (answer.answer === '200' && from > faultAt) windowMs ??= to - faultAt;
      await sleep(50);
    }
  });
  // Replication is asynchronous: the token sets written at login reach the replica meanwhile.
  for (let i = 0; i < 150 && served.size < cookies.length; i += 1) await sleep(100);
  await sleep(1_000);
  faultAt = performance.now();
  await fault();
  await Promise.all(loops);

  // Requests still in flight at the fault count as after it.
  const after = seen.filter((s) => s.to > faultAt);
  const tally: Record<string, number> = {};
  for (const { answer } of after) tally[answer] = (tally[answer] ?? 0) + 1;
  // Once it is over, each user is served again; a lock left behind by the failover answers 503
  // refresh_in_progress until its lease (7 s) ends, so each may take a few tries. A 401, or no 200
  // in 15 s, is a lost login.
  const afterwards = await Promise.all(cookies.map((cookie) => servedAgain(app, cookie)));
  const figures = {
    windowMs: Math.round(windowMs ?? -1),
    requestsBefore: seen.length - after.length,
    after: tally,
    lostLogins: afterwards.filter((answer) => answer !== '200').length,
    refreshes: emulator.counters.refreshGrants,
    reuses: emulator.counters.refreshTokenReuses,
    passedOn: app.passedOn.map((e) => (e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e))),
  };
  console.log(`[sentinel] ${JSON.stringify(figures)}`);

  expect(deployment.currentMasterPort(), 'the sentinels promoted the replica').toBe(deployment.replicaPort);
  expect(served.size, 'every user was served before the fault').toBe(cookies.length);
  // A failed store call is store_unavailable; a lock its holder could not release during the
  // failover is refresh_in_progress until its lease ends: both 503 with Retry-After.
  const outageAnswers = ['200', '503 store_unavailable', '503 refresh_in_progress'];
  expect(Object.keys(tally).filter((answer) => !outageAnswers.includes(answer))).toEqual([]);
  expect(after.filter((s) => s.answer.startsWith('503') && s.retryAfter === null)).toEqual([]);
  expect(tally['503 store_unavailable'] ?? 0, 'the load met the failover').toBeGreaterThan(0);
  expect(windowMs, 'served again after the failover').toBeDefined();
  expect(afterwards).toEqual(cookies.map(() => '200'));
  expect(figures.passedOn, 'errors errorHandler() left to Express').toEqual([]);
  expect(figures.refreshes, 'refreshes went on').toBeGreaterThan(USERS);
  expect(figures.reuses).toBe(0);
  return figures;
}

describe('the README Sentinel recipe', () => {
  it('is, line for line, the setup test/redis/sentinel-app.ts runs', () => {
    const app = readFileSync(new URL('./sentinel-app.ts', import.meta.url), 'utf8');
    const region = /\/\/ README: sentinel \(begin\)\n([\s\S]*?)\n\s*\/\/ README: sentinel \(end\)/.exec(app)?.[1] ?? '';
    const code = region.replace(/^ {2}/gm, '');
    expect(code.split('\n').length).toBeGreaterThan(5);
    const blocks = codeBlocks(section('Running several instances'), 'ts');
    expect(blocks.some((block) => block.includes(code))).toBe(true);
  });
});

describe.skipIf(skipRedis || !runClusterTests)('Redis Sentinel: a master, a replica, three sentinels', () => {
  // The recipe's error listener prints what the client reports: kept out of the test output.
  const redisLines: string[] = [];
  afterEach(async () => {
    for (const { app, emulator, deployment } of started.splice(0)) {
      await app?.close();
      await emulator?.close();
      await deployment?.stop();
    }
    vi.restoreAllMocks();
    if (redisLines.length > 0) console.log(`[sentinel] client error lines: ${redisLines.splice(0).length}`);
  });

  it('the master killed under load: 200 or 503 with Retry-After, never a 500; no login lost', async () => {
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void redisLines.push(String(line)));
    const setup = await start();
    await failover(setup, () => setup.deployment.killMaster(), 0);
  }, 50_000);

  it('the master frozen 6 s (a partition), then back as a replica: the same, no login lost', async () => {
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void redisLines.push(String(line)));
    const setup = await start();
    await failover(
      setup,
      async () => {
        setup.deployment.pauseMaster();
        setTimeout(() => setup.deployment.resumeMaster(), 6_000);
      },
      9_000,
    );
  }, 50_000);
});
