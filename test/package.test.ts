import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** A fresh app directory with the tarball, the app's own packages and TypeScript installed. */
function consumer(name: string, type: 'commonjs' | 'module', express: string[]): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type }));
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      tarball,
      ...express,
      'express-session@1.19',
      'passport@0.7',
      '@types/express-session@1',
      '@types/passport@1',
      '@types/node@20',
      'typescript@5.9',
    ],
    dir,
  );
  return dir;
}

const tsconfig = (options: Record<string, unknown>): string =>
  JSON.stringify({
    compilerOptions: { strict: true, skipLibCheck: false, target: 'ES2022', types: ['node'], ...options },
    files: ['app.ts'],
  });

/** Logs in through the emulator, then calls the protected route; prints one JSON line. */
const SCENARIO = `
async function main(): Promise<void> {
  const emulator = await startSynergyFlowEmulator({ autoApprove: true });
  const app = express();
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = 'http://127.0.0.1:' + (server.address() as { port: number }).port;
  emulator.registerClient({ clientID: 'c', clientSecret: 's', redirectURIs: [url + '/auth/callback'] });
  const auth = build(url + '/auth/callback', emulator.url);
  app.use(session({ secret: 'x', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(passport.session());
  auth.use(passport);
  app.use('/auth', auth.loginRouter(), auth.callbackRouter(), auth.logoutRouter());
  routes(app, auth);
  app.use(auth.errorHandler());
  const browser = new TestBrowser({ accept: 'application/json' });
  const end = await browser.request(url + '/auth/login?returnTo=/me');
  const major = 'query' in express ? 4 : 5;
  console.log(JSON.stringify({ express: major, status: end.status, ...JSON.parse(end.text) }));
  server.close();
  await emulator.close();
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

// A single-strategy app opts in: req.user is the SynergyFlow profile, through declaration merging.
const CJS_APP = `import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { sessionProfile, synergyFlow, type SynergyFlowAuth, type SynergyFlowProfile } from 'passport-synergyflow';
import { startSynergyFlowEmulator, TestBrowser } from 'passport-synergyflow/testing';

declare global {
  namespace Express {
    interface User extends SynergyFlowProfile {}
  }
}

const build = (callbackURL: string, baseURL: string): SynergyFlowAuth =>
  synergyFlow({ clientID: 'c', clientSecret: 's', callbackURL, baseURL });

function routes(app: express.Express, auth: SynergyFlowAuth): void {
  app.get('/me', auth.requireUser(), (req, res, next) => {
    auth.apiGet(req, '/api/user').then((body) => {
      res.json({ name: req.user!.name, email: sessionProfile(req).email, api: (body as { email: string }).email });
    }, next);
  });
}
${SCENARIO}`;

// An app with its own users: verify maps the profile, a local login type-checks beside it.
const ESM_APP = `import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { sessionProfile, synergyFlow, type SynergyFlowAuth } from 'passport-synergyflow';
import { startSynergyFlowEmulator, TestBrowser } from 'passport-synergyflow/testing';

declare global {
  namespace Express {
    interface User {
      id: string;
      name: string;
    }
  }
}

const build = (callbackURL: string, baseURL: string): SynergyFlowAuth =>
  synergyFlow({
    clientID: 'c',
    clientSecret: 's',
    callbackURL,
    baseURL,
    verify: async (profile) => ({ id: 'sf-' + profile.id, name: profile.name }),
  });

function routes(app: express.Express, auth: SynergyFlowAuth): void {
  app.post('/local', (req, res, next) => req.logIn({ id: '42', name: 'Local' }, (e) => (e ? next(e) : res.end())));
  app.get('/me', auth.requireUser(), async (req, res) => {
    const me = await auth.api<{ name: string }>(req, { path: '/api/user' });
    res.json({ user: req.user, api: me.name, profile: sessionProfile(req).id });
  });
}
${SCENARIO}`;

describe('the packed package', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'sf-pack-'));
    run('npm', ['pack', '--pack-destination', work], root);
    const file = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (!file) throw new Error('npm pack produced no tarball');
    tarball = join(work, file);
  }, 600_000); // only a hang guard: how long this takes depends on the machine

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships only dist, the docs and package.json', () => {
    const files = run('tar', ['-tzf', tarball], work).trim().split('\n');
    expect(
      files.every((f) =>
        /^package\/(dist\/|README\.md|CHANGELOG\.md|SECURITY\.md|RELIABILITY\.md|BENCHMARKS\.md|LICENSE|package\.json)/.test(
          f,
        ),
      ),
    ).toBe(true);
    expect(files).toContain('package/dist/index.cjs');
    expect(files).toContain('package/dist/testing/index.d.ts');
  });

  it('runs no script when installed: the packed package.json has no install scripts, the checkout keeps prepare', () => {
    const packed = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'], work)) as {
      scripts: Record<string, string>;
      repository?: unknown;
    };
    // npm lists these as install scripts a consumer must approve; prepare's file is not shipped.
    expect(Object.keys(packed.scripts).filter((name) => /^(pre|post)?install$|^prepare$/.test(name))).toEqual([]);
    expect(packed.repository).toBeDefined();
    const checkout = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(checkout.scripts.prepare).toBe('node scripts/prepare.mjs');
    expect(existsSync(join(root, 'package.json.unpacked'))).toBe(false);
  });

  it('passes publint and are-the-types-wrong, node10 resolution included', () => {
    expect(() => run(join(root, 'node_modules/.bin/publint'), ['--strict', tarball], root)).not.toThrow();
    const attw = JSON.parse(run(join(root, 'node_modules/.bin/attw'), [tarball, '--format', 'json'], root)) as {
      analysis: { problems: Array<{ kind: string; resolutionKind?: string }> };
    };
    // Every resolution mode, node10 ("module": "commonjs") too: ./testing resolves through typesVersions.
    expect(attw.analysis.problems).toEqual([]);
  }, 600_000); // only a hang guard: how long this takes depends on the machine

  it('a strict CommonJS TypeScript app on Express 4 (@types/express@4) type-checks and logs in', () => {
    const app = consumer('cjs', 'commonjs', ['express@4', '@types/express@4']);
    writeFileSync(join(app, 'app.ts'), CJS_APP);
    writeFileSync(join(app, 'tsconfig.json'), tsconfig({ module: 'commonjs', esModuleInterop: true, outDir: 'out' }));
    // One copy of @types/express, the app's: none nested under the package.
    expect(existsSync(join(app, 'node_modules/passport-synergyflow/node_modules/@types'))).toBe(false);
    run(join(app, 'node_modules/.bin/tsc'), ['-p', '.'], app);
    const answer = JSON.parse(run('node', ['out/app.js'], app)) as Record<string, unknown>;
    expect(answer).toEqual({
      express: 4,
      status: 200,
      name: 'Test User',
      email: 'test@example.com',
      api: 'test@example.com',
    });
  }, 600_000); // only a hang guard: how long this takes depends on the machine

  it('a strict ESM TypeScript app on Express 5 with its own users type-checks and logs in', () => {
    const app = consumer('esm', 'module', ['express@5', '@types/express@5']);
    writeFileSync(join(app, 'app.ts'), ESM_APP);
    writeFileSync(
      join(app, 'tsconfig.json'),
      tsconfig({ module: 'NodeNext', moduleResolution: 'NodeNext', outDir: 'out' }),
    );
    run(join(app, 'node_modules/.bin/tsc'), ['-p', '.'], app);
    const answer = JSON.parse(run('node', ['out/app.js'], app)) as Record<string, unknown>;
    expect(answer).toEqual({
      express: 5,
      status: 200,
      user: { id: 'sf-1', name: 'Test User' },
      api: 'Test User',
      profile: '1',
    });
  }, 600_000); // only a hang guard: how long this takes depends on the machine
});
