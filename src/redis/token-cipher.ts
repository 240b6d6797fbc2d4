import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const FORMAT = 'sf2';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const GENERATE = 'generate one with `openssl rand -hex 32`';

function keyBytes(key: unknown, index: number): Buffer {
  // The usual cause is `encryptionKeys: [process.env.TOKEN_KEY]` with the variable unset or
  // empty: say so, rather than let Buffer.from() fail with a message about its own arguments.
  if (key === undefined || key === null || (typeof key === 'string' && key.trim() === '')) {
    throw new TypeError(
      `passport-synergyflow: RedisTokenStore option "encryptionKeys" has no key at index ${index} (it is ${typeof key === 'string' ? 'an empty string' : String(key)}; an unset environment variable?). Set it to 32 random bytes (64 hex characters or base64); ${GENERATE}.`,
    );
  }
  if (typeof key !== 'string' && !(key instanceof Uint8Array)) {
    throw new TypeError(
      `passport-synergyflow: RedisTokenStore option "encryptionKeys" holds a ${typeof key} at index ${index}; each key must be a string (64 hex characters or base64) or a Buffer.`,
    );
  }
  const bytes =
    typeof key === 'string'
      ? /^[0-9a-f]{64}$/i.test(key)
        ? Buffer.from(key, 'hex')
        : Buffer.from(key, 'base64')
      : Buffer.from(key);
  if (bytes.length !== 32) {
    throw new TypeError(
      `passport-synergyflow: encryption key ${index} must be 32 bytes (64 hex characters or base64); ${GENERATE}.`,
    );
  }
  return bytes;
}

/**
 * AES-256-GCM for token sets at rest. The first key encrypts; every key decrypts, so keys rotate
 * by putting the new one first and dropping the old one once its data has expired.
 *
 * Each value is bound to where it belongs: the format, the key id and a `context` (the Redis key
 * name) are authenticated as AAD, so a value copied under another user's key does not decrypt.
 * Only full 16-byte tags and 12-byte IVs are accepted (a truncated tag would make forgery cheap).
 * Format: `sf2.<key id>.<iv>.<ciphertext>.<tag>`, base64url. Values of the unreleased `sf1`
 * format (no AAD) are refused: their users log in again.
 */
export class TokenCipher {
  readonly #keys: Array<{ id: string; key: Buffer }>;

  /** @param keys 32-byte keys (Buffers, 64 hex characters, or base64), newest first. */
  constructor(keys: ReadonlyArray<string | Uint8Array>) {
    if (!Array.isArray(keys)) {
      throw new TypeError(
        `passport-synergyflow: RedisTokenStore option "encryptionKeys" must be a list of keys, newest first (encryptionKeys: [key]); ${GENERATE}.`,
      );
    }
    if (keys.length === 0) throw new TypeError('passport-synergyflow: give at least one encryption key.');
    this.#keys = keys.map((key, index) => {
      const bytes = keyBytes(key, index);
      return { id: createHash('sha256').update(bytes).digest('base64url').slice(0, 8), key: bytes };
    });
  }

  /**
   * Encrypts with the newest key, bound to `context` (for example the storage key's name).
   * @returns `sf2.<key id>.<iv>.<ciphertext>.<tag>`.
   */
  seal(plaintext: string, context: string): string {
    const { id, key } = this.#keys[0] as { id: string; key: Buffer };
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(id, context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      FORMAT,
      id,
      iv.toString('base64url'),
      body.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  /**
   * Decrypts a value sealed for the same `context` with one of the keys; `undefined` when no key
   * fits, the value was tampered with or moved, or it is not in the current format.
   */
  open(sealed: string, context: string): string | undefined {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== FORMAT) return undefined;
    const [, id, ivText, bodyText, tagText] = parts as [string, string, string, string, string];
    const entry = this.#keys.find((k) => k.id === id);
    const iv = base64url(ivText);
    const body = base64url(bodyText);
    const tag = base64url(tagText);
    if (!entry || iv?.length !== IV_BYTES || body === undefined || tag?.length !== TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(entry.id, context));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

function aad(id: string, context: string): Buffer {
  return Buffer.from(`${FORMAT}\0${id}\0${context}`, 'utf8');
}

/** Strict base64url: Buffer.from() would skip characters it does not know. */
function base64url(text: string): Buffer | undefined {
  return /^[A-Za-z0-9_-]*$/.test(text) ? Buffer.from(text, 'base64url') : undefined;
}
