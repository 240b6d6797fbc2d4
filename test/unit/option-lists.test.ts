// The lists of option names that refuse misspellings are data in src/option-names.ts, which
// imports none of the modules that use them (no import cycle). These checks are what keeps each
// list equal to its interface: `npm run typecheck` fails when an option is added to an interface
// and not to its list, or the other way round.
import { expectTypeOf } from 'expect-type';
import { describe, expect, it } from 'vitest';
import type {
  ErrorHandlerOptions,
  Hooks,
  LoginOptions,
  RedisCoordinatorOptions,
  RedisTokenStoreOptions,
  RequireUserOptions,
  SynergyFlowOptions,
} from 'passport-synergyflow';
import {
  ERROR_HANDLER_OPTIONS,
  HOOK_NAMES,
  LOGIN_OPTIONS,
  REDIS_COORDINATOR_OPTIONS,
  REDIS_TOKEN_STORE_OPTIONS,
  REQUIRE_USER_OPTIONS,
  ROUTE_NAMES,
} from '../../src/option-names.js';

type Names<List extends readonly string[]> = List[number];

describe('the lists of option names', () => {
  it('are exactly the keys of their interfaces (checked by the compiler)', () => {
    expectTypeOf<Names<typeof REQUIRE_USER_OPTIONS>>().toEqualTypeOf<keyof RequireUserOptions>();
    expectTypeOf<Names<typeof ERROR_HANDLER_OPTIONS>>().toEqualTypeOf<keyof ErrorHandlerOptions>();
    expectTypeOf<Names<typeof LOGIN_OPTIONS>>().toEqualTypeOf<keyof LoginOptions>();
    expectTypeOf<Names<typeof REDIS_TOKEN_STORE_OPTIONS>>().toEqualTypeOf<keyof RedisTokenStoreOptions>();
    expectTypeOf<Names<typeof REDIS_COORDINATOR_OPTIONS>>().toEqualTypeOf<keyof RedisCoordinatorOptions>();
    expectTypeOf<Names<typeof ROUTE_NAMES>>().toEqualTypeOf<keyof NonNullable<SynergyFlowOptions['routes']>>();
    expectTypeOf<Names<typeof HOOK_NAMES>>().toEqualTypeOf<keyof Hooks>();
  });

  it('name each option once', () => {
    for (const list of [
      REQUIRE_USER_OPTIONS,
      ERROR_HANDLER_OPTIONS,
      LOGIN_OPTIONS,
      REDIS_TOKEN_STORE_OPTIONS,
      REDIS_COORDINATOR_OPTIONS,
      ROUTE_NAMES,
      HOOK_NAMES,
    ]) {
      expect(new Set(list).size).toBe(list.length);
    }
  });
});
