import { execFileSync } from 'node:child_process';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import session from 'express-session';
import passport from 'passport';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synergyFlow } from 'passport-synergyflow';
import { startSynergyFlowEmulator, TestBrowser, type SynergyFlowEmulator } from 'passport-synergyflow/testing';
import type { DynamicModule, ExceptionFilter, Type } from '@nestjs/common';
import type { SynergyFlowAuth } from 'passport-synergyflow';

/** The recipe's exports, as this test uses them. */
interface NestRecipe {
  AuthModule: { forRoot(auth: SynergyFlowAuth): DynamicModule };
  SynergyFlowExceptionFilter: new (auth: SynergyFlowAuth, adapter: unknown) => ExceptionFilter;
  UsersService: Type<{ validated: string[] }>;
}

// Loaded by path rather than a static import: the recipe needs decorators, which this
// program's tsconfig does not enable. The first test type-checks it with its own tsconfig.
const recipePath = './nest/auth.module.js';
let recipe: NestRecipe;

let emulator: SynergyFlowEmulator;
let server: Server;
let url: string;
let nest: Awaited<ReturnType<typeof NestFactory.create>>;

beforeAll(async () => {
  recipe = (await import(recipePath)) as NestRecipe;
  const { AuthModule, SynergyFlowExceptionFilter } = recipe;
  emulator = await startSynergyFlowEmulator({ autoApprove: true });
  // NestJS 12 runs on its own Express 5, whatever major the suite runs on; the server exists
  // first so that the callback URL (its port) is known before the app is built.
  let handle: RequestListener = (_req, res) => res.end();
  server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  emulator.registerClient({ clientID: 'nest', clientSecret: 'secret', redirectURIs: [`${url}/auth/callback`] });
  const auth = synergyFlow({
    clientID: 'nest',
    clientSecret: 'secret',
    callbackURL: `${url}/auth/callback`,
    baseURL: emulator.url,
  });
  // main.ts of the README recipe.
  nest = await NestFactory.create(AuthModule.forRoot(auth), new ExpressAdapter(), { logger: false });
  nest.use(session({ secret: 'nest-test', resave: false, saveUninitialized: false, cookie: { sameSite: 'lax' } }));
  nest.use(passport.initialize(), passport.session());
  auth.use(passport);
  nest.use('/auth', auth.loginRouter(), auth.callbackRouter(), auth.logoutRouter(), auth.errorHandler());
  nest.useGlobalFilters(new SynergyFlowExceptionFilter(auth, nest.get(HttpAdapterHost).httpAdapter));
  await nest.init();
  handle = nest.getHttpAdapter().getInstance() as RequestListener;
}, 600_000); // only a hang guard: how long this takes depends on the machine

afterAll(async () => {
  await nest?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await emulator?.close();
});

describe('NestJS (the README recipe, real @nestjs packages)', () => {
  it('type-checks with decorators under its own tsconfig', () => {
    expect(() =>
      execFileSync('node_modules/.bin/tsc', ['-p', 'test/apps/nest/tsconfig.json', '--noEmit'], { encoding: 'utf8' }),
    ).not.toThrow();
  }, 600_000); // only a hang guard: how long this takes depends on the machine

  it('logs in through the emulator: validate() runs and the next request has its user', async () => {
    const users = nest.get(recipe.UsersService);
    const browser = new TestBrowser({ accept: 'application/json' });
    const anonymous = await browser.request(`${url}/me`);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.text)).toMatchObject({ error: { code: 'SF_LOGIN_REQUIRED' } });
    browser.defaultHeaders.accept = 'text/html';
    const landed = await browser.request(`${url}/auth/login?returnTo=/me`);
    expect(landed.url).toBe(`${url}/me`);
    expect(users.validated).toEqual(['1']);
    const me = await request(server)
      .get('/me')
      .set('cookie', browser.cookieHeader(url))
      .set('accept', 'application/json');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: { id: 'user-1', name: 'Test User' }, provider: 'Test User' });
  });

  it("the exception filter keeps the package's statuses: 429 with Retry-After", async () => {
    const browser = new TestBrowser();
    await browser.request(`${url}/auth/login`);
    emulator.route('GET', '/api/things', () => ({ body: [{ id: 1 }] }));
    const cookie = browser.cookieHeader(url);
    const ok = await request(server).get('/things').set('cookie', cookie).set('accept', 'application/json');
    expect(ok.body).toEqual([{ id: 1 }]);
    emulator.failNext('/api/things', { status: 429, headers: { 'Retry-After': '30' } });
    const limited = await request(server).get('/things').set('cookie', cookie).set('accept', 'application/json');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('30');
    expect(limited.body).toMatchObject({ error: { code: 'SF_RATE_LIMITED', retryAfter: 30 } });
  });
});
