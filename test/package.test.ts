import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The packed tarball is what users install: test that, not the work tree.
const root = resolve('.');
let work: string;
let tarball: string;

const run = (command: string, args: string[], cwd: string): string =>
  execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_loglevel: 'error' },
  });

describe('the packed package', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'sf-pack-'));
    run('npm', ['pack', '--pack-destination', work], root);
    const file = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (!file) throw new Error('npm pack produced no tarball');
    tarball = join(work, file);
  }, 120_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships only dist, the docs and package.json', () => {
    const files = run('tar', ['-tzf', tarball], work).trim().split('\n');
    expect(
      files.every((f) => /^package\/(dist\/|README\.md|CHANGELOG\.md|SECURITY\.md|LICENSE|package\.json)/.test(f)),
    ).toBe(true);
    expect(files).toContain('package/dist/index.cjs');
    expect(files).toContain('package/dist/testing/index.d.ts');
  });

  it('passes publint and are-the-types-wrong', () => {
    expect(() => run(join(root, 'node_modules/.bin/publint'), ['--strict', tarball], root)).not.toThrow();
    const attw = JSON.parse(
      run(join(root, 'node_modules/.bin/attw'), [tarball, '--profile', 'node16', '--format', 'json'], root),
    ) as {
      analysis: { problems: Array<{ kind: string; resolutionKind?: string }> };
    };
    // node10 resolution (no exports map support) is out of scope for a Node 20 package.
    expect(attw.analysis.problems.filter((p) => p.resolutionKind !== 'node10')).toEqual([]);
  }, 60_000);

  it('installs in a fresh consumer and loads with import and require, types included', () => {
    const consumer = join(work, 'consumer');
    run('mkdir', ['-p', consumer], work);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        tarball,
        'express@5',
        'express-session@1.19',
        'passport@0.7',
        'typescript@5.9',
      ],
      consumer,
    );
    const esm = run(
      'node',
      [
        '--input-type=module',
        '-e',
        "import { synergyFlow, isRateLimitError } from 'passport-synergyflow'; import { startSynergyFlowEmulator } from 'passport-synergyflow/testing'; console.log(typeof synergyFlow, typeof isRateLimitError, typeof startSynergyFlowEmulator);",
      ],
      consumer,
    );
    expect(esm.trim()).toBe('function function function');
    const cjs = run(
      'node',
      [
        '-e',
        "const { synergyFlow } = require('passport-synergyflow'); const { TestBrowser } = require('passport-synergyflow/testing'); console.log(typeof synergyFlow, typeof TestBrowser);",
      ],
      consumer,
    );
    expect(cjs.trim()).toBe('function function');
    writeFileSync(
      join(consumer, 'check.ts'),
      "import { synergyFlow, type SynergyFlowProfile } from 'passport-synergyflow';\nconst auth = synergyFlow({ clientID: 'a', clientSecret: 'b', callbackURL: 'https://app.example/auth/callback' });\nconst handler = auth.requireUser();\nconst user: Express.User = {} as SynergyFlowProfile;\nconst name: string = user.name;\nexport { handler, name };\n",
    );
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['check.ts'],
      }),
    );
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '@types/node@20'], consumer);
    expect(() => run(join(consumer, 'node_modules/.bin/tsc'), ['-p', '.'], consumer)).not.toThrow();
  }, 240_000);
});
