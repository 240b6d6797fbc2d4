import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const FORMAT = 'sf1';

function keyBytes(key: string | Uint8Array, index: number): Buffer {
  const bytes =
    typeof key === 'string'
      ? /^[0-9a-f]{64}$/i.test(key)
        ? Buffer.from(key, 'hex')
        : Buffer.from(key, 'base64')
      : Buffer.from(key);
  if (bytes.length !== 32) {
    throw new TypeError(
      `passport-synergyflow: encryption key ${index} must be 32 bytes (64 hex characters or base64); generate one with \`openssl rand -hex 32\`.`,
    );
  }
  return bytes;
}

/**
 * AES-256-GCM for token sets at rest. The first key encrypts; every key decrypts, so keys rotate
 * by putting the new one first and dropping the old one once its data has expired.
 */
export class TokenCipher {
  readonly #keys: Array<{ id: string; key: Buffer }>;

  /** @param keys 32-byte keys (Buffers, 64 hex characters, or base64), newest first. */
  constructor(keys: ReadonlyArray<string | Uint8Array>) {
    if (keys.length === 0) throw new TypeError('passport-synergyflow: give at least one encryption key.');
    this.#keys = keys.map((key, index) => {
      const bytes = keyBytes(key, index);
      return { id: createHash('sha256').update(bytes).digest('base64url').slice(0, 8), key: bytes };
    });
  }

  /** Encrypts with the newest key: `sf1.<key id>.<iv>.<ciphertext>.<tag>`. */
  seal(plaintext: string): string {
    const { id, key } = this.#keys[0] as { id: string; key: Buffer };
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      FORMAT,
      id,
      iv.toString('base64url'),
      body.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  /** Decrypts with the key named in the value; `undefined` when no key fits or it was tampered with. */
  open(sealed: string): string | undefined {
    const [format, id, iv, body, tag] = sealed.split('.');
    const entry = this.#keys.find((k) => k.id === id);
    if (format !== FORMAT || !entry || !iv || body === undefined || !tag) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
