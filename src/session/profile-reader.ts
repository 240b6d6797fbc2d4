import { profileFrom, type ProviderDescription } from '../provider/description.js';
import type { SynergyFlowProfile } from '../provider/profile.js';
import { rememberNewest } from '../util/bounded-map.js';

/** How many answers a reader remembers: about 0.6 KB each with SynergyFlow Pro's answer. */
const REMEMBERED_ANSWERS = 1_000;
/** Longer answers are parsed on every request rather than held: memory stays bounded in bytes. */
const LONGEST_REMEMBERED = 16 * 1024;

/**
 * Makes profiles from the provider answers cached in sessions. A logged-in user's session holds
 * the same answer text on every request until the profile is reloaded, and `parseProfile` gives
 * the same profile for the same answer, so each text is parsed and checked once per process (for
 * the last {@link REMEMBERED_ANSWERS} texts of up to 16 KiB) and every later request gets its
 * own copy: a handler may change `req.user` without changing what other requests see. Parsing is
 * most of what a request with a cached profile costs the package; a copy is a tenth of it.
 */
export class ProfileReader {
  readonly #provider: ProviderDescription;
  readonly #profiles = new Map<string, SynergyFlowProfile>();

  constructor(provider: ProviderDescription) {
    this.#provider = provider;
  }

  /** The profile the answer `text` makes, or `undefined` when it makes none (damaged, refused). */
  read(text: string): SynergyFlowProfile | undefined {
    const known = this.#profiles.get(text);
    if (known) return copyPlainData(known);
    let profile: SynergyFlowProfile;
    try {
      profile = profileFrom(this.#provider, JSON.parse(text));
      if (text.length <= LONGEST_REMEMBERED) {
        rememberNewest(this.#profiles, text, copyPlainData(profile), REMEMBERED_ANSWERS);
      }
    } catch {
      return undefined;
    }
    return profile;
  }
}

/** A copy of plain objects and arrays at every depth; anything else (a Date, a class) is shared. */
function copyPlainData<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyPlainData) as T;
  if (typeof value !== 'object' || value === null) return value;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  // Spreading defines own properties, so a `__proto__` key stays a key.
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key of Object.keys(copy)) {
    const field = copy[key];
    if (typeof field === 'object' && field !== null) copy[key] = copyPlainData(field);
  }
  return copy as T;
}
