import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnChild } from './children.js';
import { freePort } from './processes.js';

/** A local Redis Cluster of three masters with one replica each, started by the test. */
export interface RedisCluster {
  /** `redis://127.0.0.1:PORT` of every node. */
  urls: string[];
  /** Kills (SIGKILL) the master that serves `key`'s slot; resolves with its URL. */
  killMasterOf(key: string): Promise<string>;
  stop(): void;
}

/** Cluster tests run where `.ci/run` asks for them (REDIS_CLUSTER_TESTS=1), not in the inner loop. */
export const runClusterTests = process.env.REDIS_CLUSTER_TESTS === '1';

const cli = (port: number, ...args: string[]): string =>
  spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout;

/** Starts six nodes (`cluster-node-timeout` 2 s: failover in seconds, not the default 15 s). */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'sf-cluster-'));
  const ports: number[] = [];
  for (let i = 0; i < 6; i += 1) ports.push(await freePort());
  const nodes = new Map<number, ChildProcess>();
  for (const port of ports) {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes'];
    args.push('--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000');
    args.push('--save', '', '--appendonly', 'no', '--dir', dir);
    // spawnChild: killed when the test file ends, even if it failed before stop().
    nodes.set(port, spawnChild('redis-server', args, { stdio: 'ignore' }));
  }
  for (const port of ports) {
    for (let i = 0; i < 100 && !cli(port, 'ping').includes('PONG'); i += 1) await sleep(50);
  }
  const create = ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1'];
  spawnSync('redis-cli', [...create, '--cluster-yes'], { encoding: 'utf8' });
  // Ready when the cluster says ok and every replica's link to its master is up (a master
  // killed before its replica synced has no one to fail over to).
  const ready = (): boolean =>
    cli(ports[0]!, 'cluster', 'info').includes('cluster_state:ok') &&
    ports.filter((p) => cli(p, 'info', 'replication').includes('master_link_status:up')).length === 3;
  for (let i = 0; i < 400 && !ready(); i += 1) await sleep(50);
  return {
    urls: ports.map((p) => `redis://127.0.0.1:${p}`),
    async killMasterOf(key) {
      const slot = cli(ports[0]!, 'cluster', 'keyslot', key).trim();
      const line = cli(ports[0]!, 'cluster', 'nodes')
        .split('\n')
        .find(
          (l) =>
            l.includes('master') &&
            l
              .split(' ')
              .slice(8)
              .some((range) => inRange(range, Number(slot))),
        );
      const port = Number(/:(\d+)@/.exec(line ?? '')?.[1]);
      nodes.get(port)?.kill('SIGKILL');
      return `redis://127.0.0.1:${port}`;
    },
    stop() {
      for (const node of nodes.values()) node.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function inRange(range: string, slot: number): boolean {
  const [from, to] = range.split('-').map(Number);
  return from !== undefined && slot >= from && slot <= (to ?? from);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
