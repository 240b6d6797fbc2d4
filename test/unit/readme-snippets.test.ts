import { execFileSync } from 'node:child_process';
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

describe("the README's TypeScript snippets", () => {
  it('compile under strict against the package sources', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(8);
    mkdirSync(dir, { recursive: true });
    const files = snippets.map((code, i) => {
      const name = `snippet-${String(i + 1).padStart(2, '0')}.ts`;
      // Imports first (ESM hoists them anyway), then the context, then the snippet as written.
      const lines = code.split('\n');
      const imports = lines.filter((line) => /^import\b/.test(line)).join('\n');
      const body = lines.filter((line) => !/^import\b/.test(line)).join('\n');
      writeFileSync(join(dir, name), `${imports}\n${context(code).join('\n')}\n${body}\nexport {};\n`);
      return name;
    });
    const src = (path: string): string => join(root, 'src', path);
    writeFileSync(
      join(dir, 'tsconfig.json'),
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
    let output = '';
    try {
      execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', dir], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).toBe('');
  }, 600_000); // only a hang guard: how long this takes depends on the machine
});
