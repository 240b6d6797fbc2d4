import { startSynergyFlowEmulator, TestBrowser } from '../src/testing/index.js';
import { freePort, startInstance, stopInstances } from '../test/helpers/processes.js';

/** What one refresh storm cost. */
export interface StormResult {
  instances: number;
  requests: number;
  grants: number;
  failed: number;
  p99: number;
}

/**
 * N concurrent requests of one session on an expired token, spread over `count` instances
 * (sessions and tokens in Redis, refresh lock on), against a provider 100 ms away.
 */
export async function storm(count: number, redisURL: string, requests = 100): Promise<StormResult> {
  const emulator = await startSynergyFlowEmulator({
    autoApprove: true,
    accessTokenTtlSeconds: 2,
    rateLimit: 1_000_000,
  });
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const callbackURL = `http://127.0.0.1:${ports[0]}/auth/callback`;
  emulator.registerClient({ clientID: 'storm', clientSecret: 'storm-secret', redirectURIs: [callbackURL] });
  const env = {
    REDIS_URL: redisURL,
    PROVIDER_URL: emulator.url,
    CLIENT_ID: 'storm',
    CLIENT_SECRET: 'storm-secret',
    CALLBACK_URL: callbackURL,
    TOKEN_KEY: 'd'.repeat(64),
    INSTANCE: 'storm',
  };
  const started = await Promise.all(ports.map((port) => startInstance(port, env)));
  try {
    const browser = new TestBrowser({ accept: 'application/json' });
    await browser.request(`${started[0]?.url}/auth/login`);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    emulator.resetCounters();
    emulator.latencyMs.token = 100;
    const latencies: number[] = [];
    const answers = await Promise.all(
      Array.from({ length: requests }, async (_, i) => {
        const t0 = performance.now();
        const answer = await browser.request(`${started[i % count]?.url}/dashboard`);
        latencies.push(performance.now() - t0);
        return answer.status;
      }),
    );
    latencies.sort((a, b) => a - b);
    return {
      instances: count,
      requests,
      grants: emulator.counters.refreshGrants,
      failed: answers.filter((status) => status !== 200).length,
      p99: latencies[Math.floor(latencies.length * 0.99) - 1] ?? 0,
    };
  } finally {
    await stopInstances(started);
    await emulator.close();
  }
}
