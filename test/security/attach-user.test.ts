import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session, { MemoryStore } from 'express-session';
import { afterEach, describe, expect, it } from 'vitest';
import { synapseFiProvider, synergyFlow } from 'passport-synergyflow';
import { startSynapseFiEmulator, TestBrowser, type SynapseFiEmulator } from 'passport-synergyflow/testing';

let emulator: SynapseFiEmulator;
let server: Server;
let url: string;
const store = new MemoryStore();

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await emulator?.close();
});

/** A platform app: /visit gives anyone a session; /attach links the (app-authenticated) user. */
async function start(): Promise<void> {
  emulator = await startSynapseFiEmulator({ clientID: 'client', clientSecret: 'secret' });
  const auth = synergyFlow({
    provider: synapseFiProvider,
    baseURL: emulator.url,
    clientID: 'client',
    clientSecret: 'secret',
  });
  const app = express();
  app.use(express.json());
  app.use(session({ secret: 'platform', resave: false, saveUninitialized: false, name: 'sid', store }));
  app.get('/visit', (req, res) => {
    (req.session as unknown as Record<string, unknown>).cart = ['book'];
    res.json({ ok: true });
  });
  app.post('/attach', (req, res, next) => {
    const { userId, refreshToken } = req.body as { userId: string; refreshToken: string };
    auth.attachUser(req, { userId, refreshToken, fingerprint: 'fp_device_1' }).then(() => res.json({ ok: true }), next);
  });
  app.get('/me', auth.requireToken(), (req, res) => {
    res.json({
      attached: req.synergyflow !== undefined,
      cart: (req.session as unknown as Record<string, unknown>).cart,
    });
  });
  app.use(auth.errorHandler());
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = { accept: 'application/json' };

describe('attachUser is a login', () => {
  it("S12: attachUser gives the session a new id (keeping the app's data): a planted session id never receives the user", async () => {
    await start();
    const attacker = new TestBrowser(json);
    await attacker.request(`${url}/visit`);
    const planted = /sid=([^;]+)/.exec(attacker.cookieHeader(url))?.[1] ?? '';
    expect(planted).not.toBe('');
    const victim = new TestBrowser(json);
    victim.setCookie(url, 'sid', planted);
    const refreshToken = emulator.createUser('victim', { knownFingerprints: ['fp_device_1'] });
    const attach = await fetch(`${url}/attach`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', cookie: victim.cookieHeader(url) },
      body: JSON.stringify({ userId: 'victim', refreshToken }),
    });
    expect(attach.status).toBe(200);
    // The attacker's planted id is anonymous: no token, no user.
    const stolen = await attacker.request(`${url}/me`);
    expect(stolen.status).toBe(401);
    expect(emulator.counters.oauth).toBe(0);
    const fresh = /^sid=([^;]+)/.exec(attach.headers.get('set-cookie') ?? '')?.[1] ?? '';
    expect(fresh).not.toBe('');
    expect(fresh).not.toBe(planted);
    victim.setCookie(url, 'sid', fresh);
    // The victim is attached, and the app's own session data moved with her.
    const mine = await victim.request(`${url}/me`);
    expect(mine.status).toBe(200);
    expect(JSON.parse(mine.text)).toMatchObject({ cart: ['book'] });
  });
});
