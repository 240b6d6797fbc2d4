import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';
import { codeBlocks, section } from '../helpers/readme.js';

// The README's "Testing with the emulator" example, run as written: its own beforeAll, test and
// afterAll register here when the file is imported (vitest collects them from the import).
const example = codeBlocks(section('Testing with the emulator'), 'ts')[0];
if (!example?.includes('startTestApp')) throw new Error('the README testing section lost its startTestApp example');

const dir = resolve('test-output', `readme-testing-${process.pid}`);
mkdirSync(dir, { recursive: true });
const file = join(dir, 'example.ts');
writeFileSync(file, example);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

await import(file);
