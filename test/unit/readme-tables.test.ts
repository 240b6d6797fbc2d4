import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  SessionTokenStore,
  synapseFiProvider,
  synergyFlow,
  synergyFlowProvider,
  type SynergyFlowOptions,
  MemoryCoordinator,
} from 'passport-synergyflow';
import * as errors from '../../src/errors.js';
import { ErrorCodes } from '../../src/errors.js';
import { backticked, section, tableRows } from '../helpers/readme.js';

// The README's options and errors tables are what users configure and match on: they must
// name exactly what the code has, with the defaults the code applies.
const base = { clientID: 'id', clientSecret: 'secret', callbackURL: 'https://app.example/auth/callback' };
const config = synergyFlow(base).config;

/** The members of `SynergyFlowOptions`, read from its declaration. */
function declaredOptions(): string[] {
  const file = new URL('../../src/synergy-flow-options.ts', import.meta.url);
  const source = ts.createSourceFile(
    'synergy-flow-options.ts',
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const names: string[] = [];
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === 'SynergyFlowOptions') {
      for (const member of node.members) if (member.name && ts.isIdentifier(member.name)) names.push(member.name.text);
    }
  });
  return names;
}

/** The resolved value of an option: by its name, or in milliseconds for a `…Seconds` option. */
function resolved(name: string): unknown {
  const record = config as unknown as Record<string, unknown>;
  if (name in record) return record[name];
  const ms = name.replace(/Seconds$/, 'Ms');
  if (ms !== name && typeof record[ms] === 'number') return (record[ms] as number) / 1000;
  throw new Error(`auth.config has no "${name}" (nor "${ms}"): check its default by hand in this test`);
}

/** A default written as one value in backticks: a number, a boolean, a list or a string. */
function literal(cell: string): { value: unknown } | undefined {
  const text = /^`([^`]+)`$/.exec(cell)?.[1];
  if (text === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return { value: Number(text) };
  if (text === 'true' || text === 'false') return { value: text === 'true' };
  if (text.startsWith('[')) return { value: JSON.parse(text.replace(/'/g, '"')) as unknown };
  return { value: text };
}

function expectRequired(name: keyof SynergyFlowOptions): void {
  expect(() => synergyFlow({ ...base, [name]: undefined })).toThrow(new RegExp(`option "${name}"`));
}

/** Defaults the README describes in words (or by a name), each with the cell it must read. */
const described: Record<string, { cell: string; check(): void | Promise<void> }> = {
  clientID: { cell: 'required', check: () => expectRequired('clientID') },
  clientSecret: { cell: 'required', check: () => expectRequired('clientSecret') },
  callbackURL: {
    cell: 'required (not for SynapseFi)',
    check: () => {
      expectRequired('callbackURL');
      expect(() => synergyFlow({ provider: synapseFiProvider, clientID: 'a', clientSecret: 'b' })).not.toThrow();
    },
  },
  provider: { cell: '`synergyFlowProvider`', check: () => expect(config.provider).toBe(synergyFlowProvider) },
  routes: {
    cell: '`/login`, `/callback`, `/logout`',
    check: () => expect(config.routes).toEqual({ login: '/login', callback: '/callback', logout: '/logout' }),
  },
  loginURL: { cell: "callback's directory + `/login`", check: () => expect(config.loginURL).toBe('/auth/login') },
  failureRedirect: { cell: 'none (error page)', check: () => expect(config.failureRedirect).toBeUndefined() },
  verify: { cell: 'none (`req.user` is the profile)', check: () => expect(config.verify).toBeUndefined() },
  loginParams: { cell: 'none', check: () => expect(config.loginParams).toEqual([]) },
  extraScopes: { cell: 'none', check: () => expect(config.extraScopes).toEqual([]) },
  refreshLockWaitSeconds: {
    cell: '`timeoutSeconds` + 1',
    check: () => expect(config.refreshLockWaitMs).toBe(config.timeoutMs + 1000),
  },
  tokenStore: {
    cell: '`SessionTokenStore`',
    check: () => expect(synergyFlow(base).tokenStore).toBeInstanceOf(SessionTokenStore),
  },
  coordinator: {
    cell: '`MemoryCoordinator`',
    check: () => expect(config.coordinator).toBeInstanceOf(MemoryCoordinator),
  },
  refreshLock: {
    cell: 'none',
    check: () => {
      // The former name of `coordinator`: given, it is the coordinator; both at once are refused.
      const given = new MemoryCoordinator();
      expect(synergyFlow({ ...base, refreshLock: given }).config.coordinator).toBe(given);
      expect(() => synergyFlow({ ...base, refreshLock: given, coordinator: given })).toThrow(/former name/);
    },
  },
  issuer: { cell: 'none', check: () => expect(config.issuer).toBeUndefined() },
  idleTimeoutSeconds: { cell: 'none', check: () => expect(config.idleTimeoutMs).toBeUndefined() },
  absoluteTimeoutSeconds: { cell: 'none', check: () => expect(config.absoluteTimeoutMs).toBeUndefined() },
  trustedOrigins: {
    cell: "callback's origin",
    check: () => expect(config.trustedOrigins).toEqual(['https://app.example']),
  },
  hooks: { cell: 'none', check: () => expect(config.hooks).toEqual({}) },
  antiForgery: { cell: 'none', check: () => expect(config.antiForgery).toBeUndefined() },
  clock: { cell: '`Date.now`', check: () => expect(config.clock).toBe(Date.now) },
  fetch: {
    cell: '`globalThis.fetch`',
    async check() {
      // A pass-through spy on the real fetch, over real HTTP: the configured fetch must be it.
      const server = createServer((_req, res) => res.end('ok'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const real = globalThis.fetch;
      const seen: string[] = [];
      globalThis.fetch = (input, init) => (seen.push(String(input)), real(input, init));
      try {
        const answer = await synergyFlow(base).config.fetch(url);
        expect(await answer.text()).toBe('ok');
        expect(seen).toEqual([url]);
      } finally {
        globalThis.fetch = real;
        await new Promise((resolve) => server.close(resolve));
      }
    },
  },
  production: {
    cell: "`NODE_ENV === 'production'`",
    check: () => {
      const previous = process.env.NODE_ENV;
      const plainHttp = { ...base, callbackURL: 'http://app.example/auth/callback' };
      try {
        process.env.NODE_ENV = 'production';
        expect(() => synergyFlow(plainHttp)).toThrow(/option "callbackURL" must use https/);
        process.env.NODE_ENV = 'development';
        expect(() => synergyFlow(plainHttp)).not.toThrow();
      } finally {
        process.env.NODE_ENV = previous;
      }
    },
  },
  allowInsecureRequests: {
    cell: '`false`',
    check: () => {
      const plainHttp = { ...base, production: true, callbackURL: 'http://app.example/auth/callback' };
      expect(() => synergyFlow(plainHttp)).toThrow(/callbackURL/);
      expect(() => synergyFlow({ ...plainHttp, allowInsecureRequests: true })).not.toThrow();
    },
  },
};

const rows = tableRows(section('Options')).flatMap(([names = '', cell = '']) =>
  backticked(names).map((name) => ({ name, cell })),
);

describe("the README's options table", () => {
  it('names every option of SynergyFlowOptions, and nothing else', () => {
    const documented = rows.map((row) => row.name);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(declaredOptions().sort());
  });

  for (const { name, cell } of rows) {
    it(`states the default of ${name} as the code applies it (${cell})`, async () => {
      const words = described[name];
      if (words) {
        expect(cell).toBe(words.cell);
        await words.check();
        return;
      }
      const value = literal(cell);
      if (!value) throw new Error(`"${cell}" is not a literal: describe how to check ${name} in this test`);
      expect(resolved(name)).toEqual(value.value);
    });
  }
});

describe("the README's errors table", () => {
  const table = tableRows(section('Errors'));

  it('has one row per error code, each naming a class of the package', () => {
    const codes = table.map(([, code = '']) => backticked(code)[0]);
    expect([...codes].sort()).toEqual(Object.values(ErrorCodes).sort());
    for (const [name = ''] of table) {
      const className = backticked(name)[0] ?? '';
      expect(typeof (errors as Record<string, unknown>)[className], className).toBe('function');
    }
  });
});
