import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import type { Request } from 'express';
import type { RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisTokenStore, tokenFootprint, type TokenSet } from 'passport-synergyflow';
import { TokenCipher } from '../../src/redis/token-cipher.js';
import { redisAvailable, startRedisWithClient, type RedisWithClient } from '../helpers/redis.js';

const KEY = Buffer.alloc(32, 3);
const KEY_ID = createHash('sha256').update(KEY).digest('base64url').slice(0, 8);
const cipher = new TokenCipher([KEY]);
const secret = '{"accessToken":"at-alice"}';

/** Seals `plaintext` the way the sf2 format does, but with the IV and tag lengths given. */
function sealWith(ivBytes: number, tagBytes: number, context: string): string {
  const iv = randomBytes(ivBytes);
  const gcm = createCipheriv('aes-256-gcm', KEY, iv, { authTagLength: tagBytes });
  gcm.setAAD(Buffer.from(`sf2\0${KEY_ID}\0${context}`));
  const body = Buffer.concat([gcm.update(secret), gcm.final()]);
  return [
    'sf2',
    KEY_ID,
    iv.toString('base64url'),
    body.toString('base64url'),
    gcm.getAuthTag().toString('base64url'),
  ].join('.');
}

describe('TokenCipher', () => {
  it('X7: a value opens only under the key name it was sealed for (AAD), and only with a full tag and a 12-byte IV', () => {
    const sealed = cipher.seal(secret, 'sf:tokens:alice');
    expect(sealed).toMatch(/^sf2\./);
    expect(cipher.open(sealed, 'sf:tokens:alice')).toBe(secret);
    expect(cipher.open(sealed, 'sf:tokens:bob')).toBeUndefined();
    // A truncated tag (4 bytes) would leave 2^32 forgery odds: refused.
    const parts = sealed.split('.');
    const shortTag = Buffer.from(parts[4] ?? '', 'base64url')
      .subarray(0, 4)
      .toString('base64url');
    expect(cipher.open([...parts.slice(0, 4), shortTag].join('.'), 'sf:tokens:alice')).toBeUndefined();
    // Correctly sealed, but with a short tag or a non-standard IV: refused all the same.
    expect(cipher.open(sealWith(12, 4, 'sf:tokens:alice'), 'sf:tokens:alice')).toBeUndefined();
    expect(cipher.open(sealWith(16, 16, 'sf:tokens:alice'), 'sf:tokens:alice')).toBeUndefined();
    expect(cipher.open(sealWith(12, 16, 'sf:tokens:alice'), 'sf:tokens:alice')).toBe(secret);
    // The unreleased sf1 format (no AAD) and junk are refused, never thrown.
    for (const junk of [sealed.replace(/^sf2/, 'sf1'), `${sealed}.x`, 'sf2....', '', 'sf2.!!.!!.!!.!!']) {
      expect(cipher.open(junk, 'sf:tokens:alice')).toBeUndefined();
    }
  });
});

describe.skipIf(!redisAvailable)('RedisTokenStore encryption on a real redis-server', () => {
  let redis: RedisWithClient;
  let client: RedisClientType;
  beforeAll(async () => {
    redis = await startRedisWithClient();
    client = redis.client;
  });
  afterAll(async () => redis?.stop());

  const requestWithSession = (): Request => ({ session: {} }) as unknown as Request;
  const tokens = (who: string): TokenSet => ({ accessToken: `at-${who}`, obtainedAt: Date.now(), version: 1 });
  const keyOf = (req: Request): string => `sf:tokens:${tokenFootprint(req).read() ?? ''}`;

  it("X7: swapping two users' encrypted token sets in Redis gives each nothing, never the other's token", async () => {
    const store = new RedisTokenStore({ client, encryptionKeys: [KEY] });
    const alice = requestWithSession();
    const bob = requestWithSession();
    await store.set(alice, tokens('alice'), undefined);
    await store.set(bob, tokens('bob'), undefined);
    expect((await store.get(alice))?.accessToken).toBe('at-alice');
    const [aliceData, bobData] = await Promise.all([client.hGet(keyOf(alice), 'd'), client.hGet(keyOf(bob), 'd')]);
    await client.hSet(keyOf(alice), 'd', bobData ?? '');
    await client.hSet(keyOf(bob), 'd', aliceData ?? '');
    expect(await store.get(alice)).toBeUndefined();
    expect(await store.get(bob)).toBeUndefined();
  });
});
