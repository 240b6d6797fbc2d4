// npm run bench: the cost of requireUser() per request, against a bare route and against the
// usual passport-oauth2 app (same store), on Express 5 and 4, in memory and on Redis; the bytes
// each keeps per user; and a refresh storm on one and two instances. Rows are measured in
// interleaved rounds (every row once per round) so drift hits all rows alike; medians are
// reported, and written with the machine to BENCHMARKS.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';
import { startRedis } from '../test/helpers/redis.js';
import type { Target } from './servers.js';
import { headToHead } from './head-to-head.js';
import { storm, type StormResult } from './storm.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const WARMUP_SECONDS = 2;
// Even: each process starts first, and each load starts first, equally often. With 3 trials the
// row started first in two of them, and the twin read 1.01-1.03 on Express 4: starting first is
// worth a few percent, so an odd count tilts every ratio toward the row.
const H2H_TRIALS = Number(process.env.BENCH_H2H_TRIALS ?? 4);
if (!Number.isInteger(H2H_TRIALS) || H2H_TRIALS < 2 || H2H_TRIALS % 2 !== 0) {
  throw new Error('BENCH_H2H_TRIALS must be an even number (each process starts first equally often)');
}
const H2H_ROUNDS = Number(process.env.BENCH_H2H_ROUNDS ?? 3);
const READING = '## Reading these figures';
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;
const CONNECTIONS = 10;
const ROWS = ['bare', 'baselineMemory', 'packageMemory', 'baselineRedis', 'packageRedis', 'apiRoute', 'proxy'] as const;
type RowKey = (typeof ROWS)[number];
const NAMES: Record<RowKey, string> = {
  bare: 'bare Express route',
  baselineMemory: 'baseline: passport-oauth2, profile in session (memory)',
  packageMemory: 'requireUser(), cached profile (memory)',
  baselineRedis: 'baseline: passport-oauth2, profile in session (connect-redis)',
  packageRedis: 'requireUser(), cached profile (connect-redis + RedisTokenStore)',
  apiRoute: 'hand-written route: requireUser() + auth.api() to /api/user (memory)',
  proxy: 'auth.apiProxy() to /api/user (memory)',
};
/** Which row each row is compared with. */
const BASELINE: Partial<Record<RowKey, RowKey>> = {
  packageMemory: 'baselineMemory',
  packageRedis: 'baselineRedis',
  proxy: 'apiRoute',
};

interface Measured {
  rps: number[];
  p99: number[];
  /** The server's CPU time per request, in microseconds. */
  cpu: number[];
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const pinnable = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

function headersOf(target: Target): Record<string, string> {
  return target.cookie ? { cookie: target.cookie, accept: 'application/json', ...target.headers } : {};
}

/** Every route must answer the logged-in user, or the figures would measure an error page. */
async function checkAnswer(name: string, target: Target): Promise<void> {
  const answer = await fetch(target.url, { headers: headersOf(target) });
  const body = await answer.text();
  if (answer.status !== 200 || !body.includes('"Test User"')) {
    throw new Error(`${name} answered ${answer.status} ${body.slice(0, 200)}`);
  }
}

/** CPU time (user + system) the server process has used so far, in microseconds (Linux). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}

async function measure(
  name: string,
  target: Target,
  seconds = SECONDS,
): Promise<{ rps: number; p99: number; cpu: number }> {
  await checkAnswer(name, target);
  const cpuBefore = cpuMicros(target.pid);
  const result = await autocannon({
    url: target.url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: headersOf(target),
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    cpu: (cpuMicros(target.pid) - cpuBefore) / result.requests.total,
  };
}

function startServer(redisURL: string, major: 4 | 5, row: RowKey): Promise<{ child: ChildProcess; target: Target }> {
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
    env: { ...process.env, REDIS_URL: redisURL, BENCH_ROW: row },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = /READY (.+)\n/.exec(out);
      if (line?.[1]) resolve({ child, target: JSON.parse(line[1]) as Target });
    });
    child.once('exit', (code) => reject(new Error(`bench server ${row} exited with ${code}`)));
  });
}

/** One server process per row, so that no app shares another's JIT state. */
async function startServers(
  redisURL: string,
  major: 4 | 5,
): Promise<{ children: ChildProcess[]; targets: Record<RowKey, Target> }> {
  const children: ChildProcess[] = [];
  const targets: Partial<Record<RowKey, Target>> = {};
  for (const row of ROWS) {
    const { child, target } = await startServer(redisURL, major, row);
    children.push(child);
    targets[row] = target;
  }
  return { children, targets: targets as Record<RowKey, Target> };
}

const fmt = (n: number, digits = 0): string => n.toFixed(digits);
const redis = await startRedis();
const tables: string[] = [];
const verdicts: string[] = [];
// BENCH_EXPRESS=5 (or 4) runs one major only, for a quicker look.
const majors = [5, 4].filter((major) =>
  (process.env.BENCH_EXPRESS ?? '5,4').split(',').includes(String(major)),
) as Array<4 | 5>;
// BENCH_ONLY=h2h measures only the head-to-head pairs of memory (and the twin), prints them and
// writes nothing: the quick loop while working on the per-request cost.
const onlyHeadToHead = process.env.BENCH_ONLY === 'h2h';
for (const major of onlyHeadToHead ? [] : majors) {
  const { children, targets } = await startServers(redis.url, major);
  const h2h = { packageMemory: [] as number[], packageRedis: [] as number[], twin: [] as number[] };
  const measured = Object.fromEntries(ROWS.map((row) => [row, { rps: [], p99: [], cpu: [] }])) as unknown as Record<
    RowKey,
    Measured
  >;
  try {
    // A first pass lets every server's JIT settle; it is not counted.
    for (const row of ROWS) await measure(row, targets[row], WARMUP_SECONDS);
    for (let round = 0; round < ROUNDS; round += 1) {
      // Every other round runs the rows backwards, so a drift in the machine's speed hits a row
      // and its baseline alike.
      for (const row of round % 2 === 0 ? ROWS : [...ROWS].reverse()) {
        const { rps, p99, cpu } = await measure(row, targets[row]);
        measured[row].rps.push(rps);
        measured[row].p99.push(p99);
        measured[row].cpu.push(cpu);
      }
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }
  // Head to head, each pair in fresh processes of its own; the memory baseline against a second
  // copy of itself shows the method's own error (ideally 1.00).
  const h2hOptions = { trials: H2H_TRIALS, rounds: H2H_ROUNDS, seconds: SECONDS, connections: CONNECTIONS };
  const fresh = (row: RowKey) => async () => {
    const started = await startServer(redis.url, major, row);
    await checkAnswer(row, started.target).catch((error: unknown) => {
      started.child.kill('SIGTERM');
      throw error;
    });
    return started;
  };
  h2h.twin = await headToHead('twin baseline', fresh('baselineMemory'), fresh('baselineMemory'), h2hOptions);
  h2h.packageMemory = await headToHead('packageMemory', fresh('packageMemory'), fresh('baselineMemory'), h2hOptions);
  h2h.packageRedis = await headToHead('packageRedis', fresh('packageRedis'), fresh('baselineRedis'), h2hOptions);
  for (const row of ROWS) {
    const { rps, cpu } = measured[row];
    console.log(
      `Express ${major} ${row}: ${rps.map((v) => fmt(v)).join(' ')} req/s; ${cpu.map((v) => fmt(v)).join(' ')} µs CPU/req`,
    );
  }
  for (const [row, ratios] of Object.entries(h2h)) {
    console.log(`Express ${major} head-to-head ${row}: ${ratios.map((v) => fmt(v, 3)).join(' ')}`);
  }
  const together = (row: 'packageMemory' | 'packageRedis' | 'twin'): string => fmt(median(h2h[row]), 2);
  const rps = (row: RowKey): number => median(measured[row].rps);
  const cpu = (row: RowKey): number => median(measured[row].cpu);
  // A row against its baseline: the median of the ratios of each round (the two were measured
  // seconds apart), which cancels the machine's drift between rounds.
  const ratio = (row: RowKey, base: RowKey): number =>
    median(measured[row].rps.map((value, round) => value / (measured[base].rps[round] ?? Number.NaN)));
  const bytes = (row: RowKey): number => targets[row].sessionBytes + targets[row].tokenBytes;
  tables.push(
    [
      `### Express ${major}`,
      '',
      '| Route | req/s (median) | vs bare | vs baseline | head-to-head vs baseline | CPU µs/req | CPU vs baseline | bytes per user | bytes vs baseline | p99 ms |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...ROWS.map((row) => {
        const base = BASELINE[row];
        const stored =
          row === 'bare'
            ? '–'
            : `${bytes(row)}${targets[row].tokenBytes ? ` (${targets[row].sessionBytes} + ${targets[row].tokenBytes} tokens)` : ''}`;
        const paired = row === 'packageMemory' || row === 'packageRedis' ? together(row) : '';
        return `| ${NAMES[row]} | ${fmt(rps(row))} | ${fmt(rps(row) / rps('bare'), 2)} | ${base ? fmt(ratio(row, base), 2) : ''} | ${paired} | ${fmt(cpu(row))} | ${base ? fmt(cpu(base) / cpu(row), 2) : ''} | ${stored} | ${base ? fmt(bytes(row) / bytes(base), 2) : ''} | ${fmt(median(measured[row].p99), 1)} |`;
      }),
    ].join('\n'),
  );
  verdicts.push(
    `Express ${major}: memory ${together('packageMemory')} head to head, ${fmt(ratio('packageMemory', 'baselineMemory'), 2)} one after the other (goal >= 0.95); Redis ${together('packageRedis')} head to head, ${fmt(ratio('packageRedis', 'baselineRedis'), 2)} one after the other (goal >= 0.90); the baseline against its twin ${together('twin')} (the method's own error); bytes ${fmt(bytes('packageMemory') / bytes('baselineMemory'), 2)} / ${fmt(bytes('packageRedis') / bytes('baselineRedis'), 2)} (goal <= 1.5)`,
    `Express ${major}: auth.apiProxy() at ${fmt(ratio('proxy', 'apiRoute'), 2)} of the req/s of a hand-written auth.api() route to the same endpoint, ${fmt(cpu('apiRoute') / cpu('proxy'), 2)} of its CPU per request (1.00 = as cheap)`,
  );
}
if (onlyHeadToHead) {
  const options = { trials: H2H_TRIALS, rounds: H2H_ROUNDS, seconds: SECONDS, connections: CONNECTIONS };
  for (const major of majors) {
    const fresh = (row: RowKey) => () => startServer(redis.url, major, row);
    const twin = await headToHead('twin', fresh('baselineMemory'), fresh('baselineMemory'), options);
    const memory = await headToHead('memory', fresh('packageMemory'), fresh('baselineMemory'), options);
    console.log(`Express ${major} twin ${fmt(median(twin), 3)} [${twin.map((v) => fmt(v, 3)).join(' ')}]`);
    console.log(`Express ${major} memory ${fmt(median(memory), 3)} [${memory.map((v) => fmt(v, 3)).join(' ')}]`);
  }
  await redis.stop();
  process.exit(0);
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
  // The hand-written reading of the figures, from its heading on, is kept across runs.
  const previous = existsSync('BENCHMARKS.md') ? readFileSync('BENCHMARKS.md', 'utf8') : '';
  const reading = previous.includes(READING) ? `\n${previous.slice(previous.indexOf(READING))}` : '';
  writeFileSync(
    'BENCHMARKS.md',
    `# Benchmarks\n\nThe latest \`npm run bench\` (${new Date().toISOString().slice(0, 10)}): autocannon, ${CONNECTIONS} connections, a ${WARMUP_SECONDS} s warm-up, then ${ROUNDS} interleaved rounds of ${SECONDS} s per row (every other round in reverse order); req/s are medians, and "vs baseline" is the median of the per-round ratios. "Head-to-head vs baseline" loads the row and its baseline at the same moment, both servers on the same core, in ${H2H_TRIALS} trials of fresh server processes, each ${H2H_ROUNDS} rounds of ${SECONDS} s after one settling round, alternating which process starts first and which load starts first: the ratio of the requests each serves is the ratio of what a request costs, and the neighbours' noise hits both alike; the memory baseline against a second copy of itself shows the method's own error. "CPU µs/req" is the server process's CPU time (user + system) per request, which a busy machine disturbs less than req/s; "CPU vs baseline" is the baseline's CPU per request over the row's (1.00 = as cheap, above 1 = cheaper). Each app runs in its own server process${pinnable ? ', all pinned to one core (the load generator has the other)' : ''}. Every route answers the same \`{ id, name, email }\`. The baseline is the usual passport-oauth2 app: an \`OAuth2Strategy\` whose \`userProfile()\` loads \`/api/user\`, with the whole profile (passport-github style, \`_raw\` and \`_json\` included) serialised into the session, on the same session store, and the route behind an \`ensureAuthenticated\` middleware, as in passport-github's example app. "Bytes per user" is the session blob in the store, plus the encrypted token set where the package keeps it apart (Redis).\n\nMachine: ${machine}. Machines here are noisy: compare ratios within one run, not figures across runs.\n\n${text}\nGoals (issue 14): requireUser() at >= 0.95 of the baseline in memory and >= 0.90 on Redis, bytes per user <= 1.5x the baseline's; one refresh grant per expiry whatever the number of requests and instances; no failed requests.\n${reading}`,
  );
}
if (storms.some((s) => s.grants !== 1 || s.failed !== 0)) process.exitCode = 1;
