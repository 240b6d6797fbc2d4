import type { Coordinator } from './coordinator.js';

/** Notes kept at most; the oldest go first (a note is a hint with a deadline, not a record). */
const MAX_NOTES = 100_000;

interface Note {
  readonly value: string;
  readonly until: number;
}

/**
 * The default {@link Coordinator}: a lock and notes in this process's memory, enough for one
 * instance. Locks are handed over in arrival order; notes and indexes expire on `Date.now()`
 * (like Redis's `PX`, whatever clock the tests give the package), and at most 100,000 of each
 * are kept.
 */
export class MemoryCoordinator implements Coordinator {
  readonly #held = new Map<string, Array<() => void>>();
  readonly #notes = new Map<string, Note>();
  readonly #indexes = new Map<string, { members: string[]; until: number }>();

  /** @inheritdoc */
  acquire(key: string, waitMs: number): Promise<(() => Promise<void>) | undefined> {
    const queue = this.#held.get(key);
    if (!queue) {
      this.#held.set(key, []);
      return Promise.resolve(this.#releaser(key));
    }
    if (waitMs <= 0) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const take = (): void => {
        clearTimeout(timer);
        resolve(this.#releaser(key));
      };
      const timer = setTimeout(() => {
        queue.splice(queue.indexOf(take), 1);
        resolve(undefined);
      }, waitMs);
      queue.push(take);
    });
  }

  /** @inheritdoc */
  async note(key: string, value: string, ttlMs: number): Promise<void> {
    const now = Date.now();
    this.#notes.delete(key);
    this.#notes.set(key, { value, until: now + ttlMs });
    // Insertion order is age order: drop expired notes from the front, and the oldest past the cap.
    for (const [oldKey, old] of this.#notes) {
      if (old.until > now && this.#notes.size <= MAX_NOTES) break;
      this.#notes.delete(oldKey);
    }
  }

  /** @inheritdoc */
  async read(key: string): Promise<string | undefined> {
    return this.readNow(key);
  }

  /** {@link read} without a promise, for callers on the hot path of this process. */
  readNow(key: string): string | undefined {
    const found = this.#notes.get(key);
    if (!found) return undefined;
    if (found.until > Date.now()) return found.value;
    this.#notes.delete(key);
    return undefined;
  }

  /** @inheritdoc */
  async index(key: string, member: string, max: number, ttlMs: number): Promise<void> {
    const now = Date.now();
    const members = [member, ...(await this.members(key)).filter((m) => m !== member)].slice(0, max);
    this.#indexes.delete(key);
    this.#indexes.set(key, { members, until: now + ttlMs });
    for (const [oldKey, old] of this.#indexes) {
      if (old.until > now && this.#indexes.size <= MAX_NOTES) break;
      this.#indexes.delete(oldKey);
    }
  }

  /** @inheritdoc */
  async members(key: string): Promise<string[]> {
    const found = this.#indexes.get(key);
    if (!found) return [];
    if (found.until > Date.now()) return [...found.members];
    this.#indexes.delete(key);
    return [];
  }

  /** @inheritdoc */
  async unindex(key: string, member?: string): Promise<void> {
    const found = this.#indexes.get(key);
    if (!found) return;
    if (member === undefined) return void this.#indexes.delete(key);
    found.members = found.members.filter((m) => m !== member);
    if (found.members.length === 0) this.#indexes.delete(key);
  }

  #releaser(key: string): () => Promise<void> {
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      const next = this.#held.get(key)?.shift();
      if (next) next();
      else this.#held.delete(key);
    };
  }
}
