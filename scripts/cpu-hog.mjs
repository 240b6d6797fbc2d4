// Keeps every core busy, to check that the suite passes on a busy machine (issue 28):
//   node scripts/cpu-hog.mjs & npm test; kill %1
// One busy worker thread per core (or HOG_THREADS), at normal priority, until killed or for
// HOG_SECONDS. It computes nothing useful; it only competes for the CPU.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const threads = Number(process.env.HOG_THREADS ?? availableParallelism());
const seconds = Number(process.env.HOG_SECONDS ?? 0);
const spin = 'let x = 0; for (;;) { x = (x * 1103515245 + 12345) % 2147483648; }';
for (let i = 0; i < threads; i += 1) new Worker(spin, { eval: true });
console.log(
  `cpu-hog: ${threads} busy threads${seconds > 0 ? ` for ${seconds} s` : ' until killed'} (pid ${process.pid})`,
);
if (seconds > 0) setTimeout(() => process.exit(0), seconds * 1000);
