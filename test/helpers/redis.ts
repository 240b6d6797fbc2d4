import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createClient } from 'redis';
import { freePort } from './processes.js';

/** A redis-server started for one test file, on a free port of 127.0.0.1. */
export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

/** True when `redis-server` is on the PATH; otherwise the Redis tests say they were skipped. */
export const redisAvailable = spawnSync('redis-server', ['--version']).status === 0;
if (!redisAvailable) {
  console.warn(
    'Redis tests SKIPPED: no redis-server on the PATH. Install it with "apt-get install -y redis-server" (as root).',
  );
}

/** Starts redis-server without persistence and waits until it answers PING. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const probe = createClient({ url, socket: { reconnectStrategy: false } });
  for (let attempt = 0; ; attempt += 1) {
    try {
      await probe.connect();
      await probe.ping();
      await probe.quit();
      break;
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    },
  };
}
