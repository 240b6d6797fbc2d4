import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type RedisClientType } from 'redis';
import { spawnChild } from './children.js';
import { freePort } from './processes.js';

/** A redis-server started for one test file, on a free port of 127.0.0.1. */
export interface RedisServer {
  url: string;
  /** Kills the server (SIGKILL: a crash, nothing flushed beyond what `appendfsync always` wrote). */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it answers PING. */
  restart(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as in a partition. */
  pause(): void;
  /** Lets a paused server go on (SIGCONT). */
  resume(): void;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/** Options of {@link startRedis}. */
export interface RedisOptions {
  /** Append-only file with `appendfsync always` in a fresh directory, so a restart keeps every write. */
  persistent?: boolean;
  /** The port to listen on (default: a free one). */
  port?: number;
}

const onPath = spawnSync('redis-server', ['--version']).status === 0;
/** The redis-server binary: on the PATH, or where Debian's package puts it. */
export const redisServer = onPath
  ? 'redis-server'
  : ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find(existsSync);

/** True when CI is set (CI=true, as CI services and `.ci/run` environments set it). */
const inCI = ['true', '1', 'yes'].includes((process.env.CI ?? '').toLowerCase());

/** True when redis-server can be started. */
export const redisAvailable = redisServer !== undefined;

/**
 * True when the Redis tests must be skipped: redis-server is absent and this is not CI. Under CI
 * they run anyway and fail loudly, so a CI image without Redis cannot pass by skipping them.
 */
export const skipRedis = !redisAvailable && !inCI;
if (skipRedis) {
  console.warn(
    'Redis tests SKIPPED: no redis-server on the PATH or in /usr/bin. Install it with "apt-get install -y redis-server" (as root; .ci/run does). With CI=true they fail instead.',
  );
}

/** Starts redis-server (without persistence unless asked) and waits until it answers PING. */
export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  if (!redisServer) {
    throw new Error('redis-server is not installed, and CI is set: install it ("apt-get install -y redis-server").');
  }
  const binary = redisServer;
  const port = options.port ?? (await freePort());
  const dir = options.persistent ? mkdtempSync(join(tmpdir(), 'sf-redis-')) : undefined;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', ''];
  args.push(...(dir ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir] : ['--appendonly', 'no']));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess;
  const launch = async (): Promise<void> => {
    child = spawnChild(binary, args, { stdio: 'ignore' });
    await waitForPing(url);
  };
  const exited = (): Promise<void> =>
    new Promise((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
    );
  await launch();
  return {
    url,
    async kill() {
      child.kill('SIGKILL');
      await exited();
    },
    restart: launch,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async stop() {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exited();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPing(url: string): Promise<void> {
  const probe = createClient({ url, socket: { reconnectStrategy: false } });
  for (let attempt = 0; ; attempt += 1) {
    try {
      await probe.connect();
      await probe.ping();
      await probe.quit();
      return;
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** A redis-server of the test's own with a node-redis client connected to it. */
export interface RedisWithClient extends RedisServer {
  client: RedisClientType;
  /** Quits the client, then stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/** Starts redis-server ({@link startRedis}) and connects a node-redis client to it. */
export async function startRedisWithClient(options: RedisOptions = {}): Promise<RedisWithClient> {
  const server = await startRedis(options);
  const client: RedisClientType = createClient({ url: server.url });
  await client.connect();
  return {
    ...server,
    client,
    async stop() {
      await client.quit();
      await server.stop();
    },
  };
}
