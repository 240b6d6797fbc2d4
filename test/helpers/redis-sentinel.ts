// A Redis Sentinel deployment started by a test: one master, one replica and three sentinels
// (`redis-server CONF --sentinel`: Debian's redis-sentinel is only a wrapper of it), all through
// spawnChild, so a failed test still has every one of them killed (test/setup/kill-children.ts).
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnChild } from './children.js';
import { freePort } from './processes.js';
import { redisServer } from './redis.js';

/** The master's name in the sentinels' `sentinel monitor` line. */
export const SENTINEL_MASTER_NAME = 'mymaster';

/** A master, its replica and three sentinels watching them, on 127.0.0.1. */
export interface RedisSentinel {
  /** The sentinels, as node-redis `createSentinel({ sentinelRootNodes })` takes them. */
  sentinels: Array<{ host: string; port: number }>;
  masterPort: number;
  replicaPort: number;
  /** The master's port as the first sentinel that answers sees it now. */
  currentMasterPort(): number | undefined;
  /** Kills the master (SIGKILL: a crash) and resolves once it has exited. */
  killMaster(): Promise<void>;
  /** Kills the replica (SIGKILL), so a dead master has no one to fail over to. */
  killReplica(): Promise<void>;
  /** Freezes the master (SIGSTOP: connections stay open, nothing answers), as in a partition. */
  pauseMaster(): void;
  /** Lets a paused master go on (SIGCONT): it finds a new master in its place and becomes its replica. */
  resumeMaster(): void;
  /** Kills every process and removes the data directory. */
  stop(): Promise<void>;
}

const cli = (port: number, ...args: string[]): string =>
  spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout ?? '';

/** `redis-cli`'s answer to SENTINEL MASTER: alternating field and value lines, as a record. */
function fields(text: string): Record<string, string> {
  const lines = text.trim().split('\n');
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < lines.length; i += 2) record[lines[i]!] = lines[i + 1]!;
  return record;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, ready: () => boolean, ms = 20_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!ready()) {
    if (performance.now() > deadline) throw new Error(`redis-sentinel: ${what} not ready within ${ms} ms`);
    await sleep(100);
  }
}

const exited = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );

/**
 * Starts the deployment and resolves once the replica is in sync and every sentinel knows the
 * replica and the two other sentinels (a failover needs two of three to agree). A master is
 * declared down after 1 s without an answer (the default is 30 s).
 */
export async function startRedisSentinel(): Promise<RedisSentinel> {
  if (!redisServer) throw new Error('redis-server is not installed ("apt-get install -y redis-server").');
  const binary = redisServer;
  const dir = mkdtempSync(join(tmpdir(), 'sf-sentinel-'));
  const children: ChildProcess[] = [];
  const start = (args: string[]): ChildProcess => {
    const child = spawnChild(binary, args, { stdio: 'ignore' });
    children.push(child);
    return child;
  };
  try {
    const [masterPort, replicaPort] = [await freePort(), await freePort()];
    // The master sends its replica the data at once, not after the default 5 s of diskless-sync delay.
    const data = [
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--repl-diskless-sync-delay',
      '0',
    ];
    const master = start(['--port', String(masterPort), ...data]);
    const replica = start(['--port', String(replicaPort), ...data, '--replicaof', '127.0.0.1', String(masterPort)]);
    // In sync before the sentinels start: their first INFO of the master then lists the replica
    // (the next comes 10 s later).
    await until('replica', () => cli(replicaPort, 'info', 'replication').includes('master_link_status:up'));
    const sentinelPorts = [await freePort(), await freePort(), await freePort()];
    for (const port of sentinelPorts) {
      // A sentinel rewrites its configuration file: each gets its own.
      const conf = join(dir, `sentinel-${port}.conf`);
      const name = SENTINEL_MASTER_NAME;
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 10000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      start([conf, '--sentinel']);
    }
    await until('sentinels', () =>
      sentinelPorts.every((port) => {
        const master = fields(cli(port, 'sentinel', 'master', SENTINEL_MASTER_NAME));
        return master['num-slaves'] === '1' && master['num-other-sentinels'] === '2';
      }),
    );
    return {
      sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
      masterPort,
      replicaPort,
      currentMasterPort() {
        for (const port of sentinelPorts) {
          const answer = cli(port, 'sentinel', 'get-master-addr-by-name', SENTINEL_MASTER_NAME).trim().split('\n');
          if (answer.length === 2) return Number(answer[1]);
        }
        return undefined;
      },
      async killMaster() {
        master.kill('SIGKILL');
        await exited(master);
      },
      async killReplica() {
        replica.kill('SIGKILL');
        await exited(replica);
      },
      pauseMaster: () => void master.kill('SIGSTOP'),
      resumeMaster: () => void master.kill('SIGCONT'),
      async stop() {
        for (const child of children) child.kill('SIGCONT');
        for (const child of children) child.kill('SIGKILL');
        await Promise.all(children.map(exited));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
