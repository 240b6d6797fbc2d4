// npm run bench: the cost of requireUser() per request, against a bare route and against the
// usual passport-oauth2 app (same store), on Express 5 and 4, in memory and on Redis; the bytes
// each keeps per user; and a refresh storm on one and two instances. Rows are measured in
// interleaved rounds (every row once per round) so drift hits all rows alike; medians are
// reported, and written with the machine to BENCHMARKS.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';
import { startRedis } from '../test/helpers/redis.js';
import type { Target } from './servers.js';
import { storm, type StormResult } from './storm.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = 10;
const ROWS = ['bare', 'baselineMemory', 'packageMemory', 'baselineRedis', 'packageRedis'] as const;
type RowKey = (typeof ROWS)[number];
const NAMES: Record<RowKey, string> = {
  bare: 'bare Express route',
  baselineMemory: 'baseline: passport-oauth2, profile in session (memory)',
  packageMemory: 'requireUser(), cached profile (memory)',
  baselineRedis: 'baseline: passport-oauth2, profile in session (connect-redis)',
  packageRedis: 'requireUser(), cached profile (connect-redis + RedisTokenStore)',
};
/** Which row each row is compared with. */
const BASELINE: Partial<Record<RowKey, RowKey>> = { packageMemory: 'baselineMemory', packageRedis: 'baselineRedis' };

interface Measured {
  rps: number[];
  p99: number[];
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const pinnable = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

async function measure(name: string, target: Target): Promise<{ rps: number; p99: number }> {
  const result = await autocannon({
    url: target.url,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: target.cookie ? { cookie: target.cookie, accept: 'application/json' } : {},
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return { rps: result.requests.average, p99: result.latency.p99 };
}

function startServers(
  redisURL: string,
  major: 4 | 5,
): Promise<{ child: ChildProcess; targets: Record<RowKey, Target> }> {
  const node = [
    process.execPath,
    ...(major === 4 ? ['--import', './bench/express4-alias.mjs'] : []),
    '--import',
    'tsx',
    'bench/servers.ts',
  ];
  // The servers get one core, the load generator the other.
  const [command, ...args] = pinnable ? ['taskset', '-c', '0', ...node] : node;
  const child = spawn(command as string, args, {
    env: { ...process.env, REDIS_URL: redisURL },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = /READY (.+)\n/.exec(out);
      if (line?.[1]) resolve({ child, targets: JSON.parse(line[1]) as Record<RowKey, Target> });
    });
    child.once('exit', (code) => reject(new Error(`bench servers exited with ${code}`)));
  });
}

const fmt = (n: number, digits = 0): string => n.toFixed(digits);
const redis = await startRedis();
const tables: string[] = [];
const verdicts: string[] = [];
for (const major of [5, 4] as const) {
  const { child, targets } = await startServers(redis.url, major);
  const measured = Object.fromEntries(ROWS.map((row) => [row, { rps: [], p99: [] }])) as unknown as Record<
    RowKey,
    Measured
  >;
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const row of ROWS) {
        const { rps, p99 } = await measure(row, targets[row]);
        measured[row].rps.push(rps);
        measured[row].p99.push(p99);
      }
    }
  } finally {
    child.kill('SIGTERM');
  }
  const rps = (row: RowKey): number => median(measured[row].rps);
  const bytes = (row: RowKey): number => targets[row].sessionBytes + targets[row].tokenBytes;
  tables.push(
    [
      `### Express ${major}`,
      '',
      '| Route | req/s (median) | vs bare | vs baseline | bytes per user | bytes vs baseline | p99 ms |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...ROWS.map((row) => {
        const base = BASELINE[row];
        const stored =
          row === 'bare'
            ? '–'
            : `${bytes(row)}${targets[row].tokenBytes ? ` (${targets[row].sessionBytes} + ${targets[row].tokenBytes} tokens)` : ''}`;
        return `| ${NAMES[row]} | ${fmt(rps(row))} | ${fmt(rps(row) / rps('bare'), 2)} | ${base ? fmt(rps(row) / rps(base), 2) : ''} | ${stored} | ${base ? fmt(bytes(row) / bytes(base), 2) : ''} | ${fmt(median(measured[row].p99), 1)} |`;
      }),
    ].join('\n'),
  );
  verdicts.push(
    `Express ${major}: memory ${fmt(rps('packageMemory') / rps('baselineMemory'), 2)} (goal >= 0.95), Redis ${fmt(rps('packageRedis') / rps('baselineRedis'), 2)} (goal >= 0.90), bytes ${fmt(bytes('packageMemory') / bytes('baselineMemory'), 2)} / ${fmt(bytes('packageRedis') / bytes('baselineRedis'), 2)} (goal <= 1.5)`,
  );
}
const storms: StormResult[] = [await storm(1, redis.url), await storm(2, redis.url)];
await redis.stop();

const stormTable = [
  '| Refresh storm | concurrent requests | refresh grants | failed requests | p99 ms |',
  '|---|---:|---:|---:|---:|',
  ...storms.map(
    (s) =>
      `| ${s.instances} instance${s.instances > 1 ? 's' : ''} | ${s.requests} | ${s.grants} | ${s.failed} | ${fmt(s.p99, 1)} |`,
  ),
].join('\n');
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
const text = `${tables.join('\n\n')}\n\n${verdicts.map((v) => `- ${v}`).join('\n')}\n\n### Refresh storms\n\n${stormTable}\n`;
console.log(`\n${text}\nMachine: ${machine}`);
if (process.env.BENCH_WRITE !== '0') {
  writeFileSync(
    'BENCHMARKS.md',
    `# Benchmarks\n\nThe latest \`npm run bench\` (${new Date().toISOString().slice(0, 10)}): autocannon, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${SECONDS} s per row, medians; the servers run in a child process${pinnable ? ' pinned to one core (the load generator has the other)' : ''}. Every route answers the same \`{ id, name, email }\`. The baseline is the usual passport-oauth2 app: an \`OAuth2Strategy\` whose \`userProfile()\` loads \`/api/user\`, with the whole profile (passport-github style, \`_raw\` and \`_json\` included) serialised into the session, on the same session store. "Bytes per user" is the session blob in the store, plus the encrypted token set where the package keeps it apart (Redis).\n\nMachine: ${machine}. Machines here are noisy: compare ratios within one run, not figures across runs.\n\n${text}\nGoals (issue 14): requireUser() at >= 0.95 of the baseline in memory and >= 0.90 on Redis, bytes per user <= 1.5x the baseline's; one refresh grant per expiry whatever the number of requests and instances; no failed requests.\n`,
  );
}
if (storms.some((s) => s.grants !== 1 || s.failed !== 0)) process.exitCode = 1;
