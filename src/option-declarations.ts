import { fail } from './option-checks.js';
import type { SynergyFlowOptions } from './synergy-flow-options.js';

/*
 * Every option of `synergyFlow()`, declared once: its kind, unit, default and range. From here
 * follow the list of names (unknown names are refused with the closest one), the checks of
 * numbers, flags and functions, the resolved numbers and flags (`resolveDeclared`, typed by
 * `DeclaredConfig`), and the default the README's table and the interface's `@default` tag
 * state (`defaultText`). An option's doc is its JSDoc in `SynergyFlowOptions`, where editors
 * show it; `test/unit/option-declarations.test.ts` proves that the interface, these declarations
 * and the README name the same options with the same defaults.
 *
 * Adding a number or a flag: its property (doc and `@default`) in `SynergyFlowOptions`, one line
 * here, one row in the README. It is then checked, defaulted and in `auth.config` (seconds as
 * milliseconds: `fooSeconds` becomes `fooMs`).
 */

/** A number option. */
export interface NumberDeclaration {
  readonly kind: 'number';
  /** `seconds` resolve to milliseconds under the name `…Ms`; the others keep their name. */
  readonly unit: 'seconds' | 'bytes' | 'count';
  /** The default; `undefined`: none (the feature is off). */
  readonly default: number | undefined;
  /** A default computed from other options, as the README states it (`resolveOptions` applies it). */
  readonly derived?: string;
  readonly min: number;
  readonly max: number;
}

/** A true-or-false option; resolved under its own name. */
export interface FlagDeclaration {
  readonly kind: 'flag';
  /** The default; `undefined` when it is derived. */
  readonly default: boolean | undefined;
  /** A default computed at resolution, as the README states it (`resolveOptions` applies it). */
  readonly derived?: string;
}

/** A function option (`verify`, `fetch`, `clock`): checked to be one; `resolveOptions` applies the default. */
export interface FunctionDeclaration {
  readonly kind: 'function';
  /** The default, as the README states it. */
  readonly described: string;
}

/** Any other option: `resolveOptions` checks and defaults it with the checks of `option-checks.ts`. */
export interface OtherDeclaration {
  readonly kind: 'other';
  /** The default, as the README states it (`required` when there is none to give). */
  readonly described: string;
}

/** One option's declaration. */
export type OptionDeclaration = NumberDeclaration | FlagDeclaration | FunctionDeclaration | OtherDeclaration;

const seconds = <Default extends number | undefined>(value: Default, min: number, max: number) =>
  ({ kind: 'number', unit: 'seconds', default: value, min, max }) as const;
const other = (described: string) => ({ kind: 'other', described }) as const;
const fn = (described: string) => ({ kind: 'function', described }) as const;

const DAY = 86_400;

/** The declarations, mostly in the order of the README's table. */
export const OPTION_DECLARATIONS = {
  clientID: other('required'),
  clientSecret: other('required'),
  callbackURL: other('required (not for SynapseFi)'),
  provider: other('`synergyFlowProvider`'),
  baseURL: other('`https://testapp2.glances.com`'),
  issuer: other('none'),
  scope: other("`['user:read']`"),
  routes: other('`/login`, `/callback`, `/logout`'),
  loginURL: other("callback's directory + `/login`"),
  successRedirect: other('`/`'),
  failureRedirect: other('none (error page)'),
  logoutRedirect: other('`/`'),
  verify: fn('none (`req.user` is the profile)'),
  loginParams: other('none'),
  extraScopes: other('none'),
  refreshSkewSeconds: seconds(60, 0, DAY),
  profileTtlSeconds: seconds(300, 0, DAY),
  idleTimeoutSeconds: seconds(undefined, 1, 366 * DAY),
  absoluteTimeoutSeconds: seconds(undefined, 1, 366 * DAY),
  timeoutSeconds: seconds(10, 0.1, 120),
  requestTimeoutSeconds: seconds(15, 0.1, 600),
  refreshLockWaitSeconds: { ...seconds(undefined, 0, 600), derived: '`timeoutSeconds` + 1' },
  maxBodyBytes: { kind: 'number', unit: 'bytes', default: 1 << 20, min: 1024, max: 64 << 20 },
  maxRetryAfterSeconds: seconds(300, 1, DAY),
  maxPendingLogins: { kind: 'number', unit: 'count', default: 10, min: 1, max: 100 },
  loginTimeoutSeconds: seconds(600, 1, 3600),
  silentRenewal: { kind: 'flag', default: false },
  revocationWaitSeconds: seconds(1, 0, 120),
  tokenStore: other('`SessionTokenStore`'),
  coordinator: other('`MemoryCoordinator`'),
  refreshLock: other('none'),
  trustedOrigins: other("callback's origin"),
  antiForgery: other('none'),
  hooks: other('none'),
  production: { kind: 'flag', default: undefined, derived: "`NODE_ENV === 'production'`" },
  allowInsecureRequests: { kind: 'flag', default: false },
  fetch: fn('`globalThis.fetch`'),
  clock: fn('`Date.now`'),
} as const satisfies { readonly [K in keyof Required<SynergyFlowOptions>]: OptionDeclaration };

type Declarations = typeof OPTION_DECLARATIONS;
type NamesOfKind<Kind> = {
  [K in keyof Declarations]: Declarations[K] extends { kind: Kind } ? K : never;
}[keyof Declarations];
/** The name an option resolves under: `fooSeconds` → `fooMs`, others unchanged. */
type ResolvedName<K extends string> = Declarations[K & keyof Declarations] extends { unit: 'seconds' }
  ? K extends `${infer Base}Seconds`
    ? `${Base}Ms`
    : K
  : K;
type ResolvedNumber<K extends keyof Declarations> = Declarations[K] extends { default: number } | { derived: string }
  ? number
  : number | undefined;

/**
 * The numbers and flags of the resolved configuration, as the declarations make them; mapped
 * over `SynergyFlowOptions` so that each keeps the option's doc in editors.
 */
export type DeclaredConfig = {
  readonly [
    K in keyof SynergyFlowOptions as K extends NamesOfKind<'number'> ? ResolvedName<K> : never
  ]-?: ResolvedNumber<K & keyof Declarations>;
} & { readonly [K in keyof SynergyFlowOptions as K extends NamesOfKind<'flag'> ? K : never]-?: boolean };

/** The resolved names of the options whose default `resolveOptions` derives from others. */
type DerivedName = {
  [K in keyof Declarations]: Declarations[K] extends { derived: string } ? ResolvedName<K> : never;
}[keyof Declarations];

/** What `resolveDeclared` gives: the declared config, derived defaults still to compute. */
export type DeclaredBeforeDerived = Omit<DeclaredConfig, DerivedName> & Partial<Pick<DeclaredConfig, DerivedName>>;

/** Every option's name, and nothing else. */
export const OPTION_NAMES: readonly string[] = Object.freeze(Object.keys(OPTION_DECLARATIONS));

/** The default of an option as the README's table and its `@default` tag state it. */
export function defaultText(declaration: OptionDeclaration): string {
  if (declaration.kind === 'function' || declaration.kind === 'other') return declaration.described;
  if (declaration.derived !== undefined) return declaration.derived;
  return declaration.default === undefined ? 'none' : `\`${String(declaration.default)}\``;
}

function checkedNumber(name: string, value: unknown, declaration: NumberDeclaration): number | undefined {
  if (value === undefined) return declaration.default;
  const { min, max } = declaration;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(name, `must be a number from ${min} to ${max}`);
  }
  return value;
}

/**
 * Checks every number, flag and function option against its declaration, and returns the
 * numbers (seconds in milliseconds, under `…Ms`) and flags with their defaults. A derived
 * default is left `undefined` for `resolveOptions` to compute.
 */
export function resolveDeclared(options: SynergyFlowOptions): DeclaredBeforeDerived {
  const given = options as unknown as Record<string, unknown>;
  const resolved: Record<string, number | boolean | undefined> = {};
  for (const [name, declaration] of Object.entries(OPTION_DECLARATIONS) as [string, OptionDeclaration][]) {
    const value = given[name];
    if (declaration.kind === 'number') {
      const number = checkedNumber(name, value, declaration);
      if (declaration.unit === 'seconds') resolved[name.replace(/Seconds$/, 'Ms')] = number && number * 1000;
      else resolved[name] = number;
    } else if (declaration.kind === 'flag') {
      if (value !== undefined && typeof value !== 'boolean') fail(name, 'must be true or false');
      resolved[name] = value ?? declaration.default;
    } else if (declaration.kind === 'function') {
      if (value !== undefined && typeof value !== 'function') fail(name, 'must be a function');
    }
  }
  return resolved as DeclaredBeforeDerived;
}
