import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codeBlocks, readme } from '../helpers/readme.js';

// Every ```ts block of the README must compile in a strict consumer, against the package's
// sources. A snippet may lean on names the surrounding prose introduces (`app`, `auth`,
// `options`...): those it does not declare or import itself are declared for it, typed as the
// README means them, and nothing more.
const root = resolve('.');
const dir = join(root, 'test-output', `readme-snippets-${process.pid}`);

const CONTEXT: Record<string, string> = {
  express: "import express from 'express';",
  session: "import session from 'express-session';",
  passport: "import passport from 'passport';",
  cors: "import cors from 'cors';",
  synergyFlow: "import { synergyFlow } from 'passport-synergyflow';",
  isProviderError: "import { isProviderError } from 'passport-synergyflow';",
  app: "declare const app: import('express').Express;",
  auth: "declare const auth: import('passport-synergyflow').SynergyFlowAuth;",
  options: "declare const options: import('passport-synergyflow').SynergyFlowOptions;",
  clientID: 'declare const clientID: string;',
  clientSecret: 'declare const clientSecret: string;',
  secret: 'declare const secret: string;',
  userId: 'declare const userId: string;',
  refreshToken: 'declare const refreshToken: string;',
  fingerprint: 'declare const fingerprint: string;',
  metrics:
    'declare const metrics: { histogram(name: string, ms: number, tags?: object): void; increment(name: string, tags?: object): void };',
  audit: 'declare const audit: { log(event: string, userId?: string): void };',
  users:
    'declare const users: { upsert(user: { sfId: string; name: string }): Promise<{ id: string; name: string }> };',
  emulator: "declare const emulator: import('passport-synergyflow/testing').SynergyFlowEmulator;",
  expect: "import { expect } from 'vitest';",
};

/** The declarations `code` needs from its context: names it uses but neither declares nor imports. */
function context(code: string): string[] {
  const spreadless = code.replace(/\.\.\./g, ' ');
  return Object.entries(CONTEXT)
    .filter(([name]) => new RegExp(`(?<![.\\w$])${name}\\b`).test(spreadless))
    .filter(
      ([name]) =>
        !new RegExp(`(?:const|let|var|function|class)\\s+${name}\\b|import[^;]*\\b${name}\\b[^;]*from`).test(code),
    )
    .map(([, declaration]) => declaration);
}

const snippets = codeBlocks(readme, 'ts');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Compiles `files` of `dir` as one strict program; resolves with tsc's complaints ('' when none). */
async function compile(files: string[], name: string): Promise<string> {
  const src = (path: string): string => join(root, 'src', path);
  const config = `tsconfig.${name}.json`;
  writeFileSync(
    join(dir, config),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        types: ['node'],
        skipLibCheck: true,
        noEmit: true,
        paths: {
          'passport-synergyflow': [src('index.ts')],
          'passport-synergyflow/testing': [src('testing/index.ts')],
        },
      },
      files,
    }),
  );
  try {
    await promisify(execFile)(join(root, 'node_modules/.bin/tsc'), ['-p', config], { cwd: dir, encoding: 'utf8' });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

// A snippet that augments a global type (`declare global`, `declare module`) changes it for
// every file of its program: compiled beside the others, it would hide a snippet that only
// compiles with it (the testing example once read `req.user!.name` and compiled only thanks to
// the Types section's `interface User`). Each such snippet is a program of its own.
const augments = (code: string): boolean => /^\s*declare (?:global|module)\b/m.test(code);

describe("the README's TypeScript snippets", () => {
  it('compile under strict against the package sources, each as a reader copies it', async () => {
    expect(snippets.length).toBeGreaterThanOrEqual(8);
    mkdirSync(dir, { recursive: true });
    const files = snippets.map((code, i) => {
      const name = `snippet-${String(i + 1).padStart(2, '0')}.ts`;
      // Imports first (ESM hoists them anyway), then the context, then the snippet as written.
      const lines = code.split('\n');
      const imports = lines.filter((line) => /^import\b/.test(line)).join('\n');
      const body = lines.filter((line) => !/^import\b/.test(line)).join('\n');
      writeFileSync(join(dir, name), `${imports}\n${context(code).join('\n')}\n${body}\nexport {};\n`);
      return { name, augmenting: augments(code) };
    });
    const plain = files.filter((file) => !file.augmenting).map((file) => file.name);
    const alone = files.filter((file) => file.augmenting).map((file) => file.name);
    expect(alone.length).toBeGreaterThan(0);
    // The programs are independent: run side by side, they take the time of the longest.
    const outputs = await Promise.all([compile(plain, 'plain'), ...alone.map((name) => compile([name], name))]);
    const output = outputs.join('');
    expect(output).toBe('');
  }, 600_000); // only a hang guard: how long this takes depends on the machine
});
