import type { Coordinator } from '../coordination/coordinator.js';
import { TemporarilyUnavailableError } from '../errors.js';
import { logger } from '../log.js';
import { storeUnavailable } from '../redis/store-outage.js';

const log = logger('refresh');

/**
 * How long a mark lasts in the shared store. It must outlive any outage the package promises to
 * ride out: the instance holding the rotated token set writes it the moment the store is back.
 */
const MARK_TTL_MS = 10 * 60_000;
/**
 * How long a sibling waits, from the first time it found a mark whose lock had lapsed, before it
 * decides the rotating instance died and refreshes itself. A live instance writes its kept token
 * set within a few seconds of the store's return (`unsaved-tokens.ts` retries every 2 s at most).
 */
export const MARK_GRACE_MS = 10_000;

/** What a sibling makes of the mark on a refresh token it is about to use. */
export type MarkVerdict = 'none' | 'pending' | 'abandoned';

/**
 * "This refresh token is being rotated": a note left in the coordinator before the provider is
 * called, so that the rotation survives the loss of its lock.
 *
 * Why the lock is not enough: when the shared store goes away while a refresh is at the provider,
 * the new token set cannot be stored (the instance keeps it in memory and writes it again), and
 * if the store stays away longer than the lock's lease, the lock is gone when it returns. A
 * sibling could then take the lock, read the old token set and present the old refresh token,
 * which a provider that rotates refresh tokens takes as theft and answers by revoking the login.
 * The mark is written before the provider call and outlives the lease; a sibling that finds it
 * answers 503 `refresh_in_progress` until the kept set is stored (it then adopts it). Only a mark
 * whose writer stays silent for {@link MARK_GRACE_MS} after the sibling first saw it is taken
 * over: its writer died, with the token set it was given.
 *
 * The mark is read and written under the refresh lock, so siblings never race each other on it.
 */
export class RotationMarks {
  readonly #notes: Pick<Coordinator, 'note' | 'read'>;
  readonly #clock: () => number;

  constructor(notes: Pick<Coordinator, 'note' | 'read'>, clock: () => number) {
    this.#notes = notes;
    this.#clock = clock;
  }

  /**
   * What the mark on `key` says: `none` (no rotation pending), `pending` (a sibling may hold the
   * new token set: do not refresh) or `abandoned` (its writer has been silent too long). The
   * first sight of a mark starts its grace. Rejects when the store cannot say.
   */
  async verdict(key: string): Promise<MarkVerdict> {
    const mark = await this.#notes.read(noteKey(key));
    if (!mark) return 'none';
    const now = this.#clock();
    const suspectedSince = Number(mark.split(' ')[1]);
    if (!Number.isFinite(suspectedSince)) {
      await this.#notes.note(noteKey(key), `${mark} ${now}`, MARK_TTL_MS);
      return 'pending';
    }
    return now - suspectedSince >= MARK_GRACE_MS ? 'abandoned' : 'pending';
  }

  /**
   * Leaves the mark on `key` before the provider is called, unless a sibling's mark says it may
   * hold the new token set already: then it rejects with 503 `refresh_in_progress` (a later
   * request adopts that set). Without a durable mark there is no refresh: when the store cannot
   * say or take it, it rejects with 503 `store_unavailable`.
   */
  async claim(key: string): Promise<void> {
    try {
      const verdict = await this.verdict(key);
      if (verdict === 'pending') {
        log('a sibling is rotating this refresh token (its lock lapsed); waiting for its token set');
        throw new TemporarilyUnavailableError('refresh_in_progress');
      }
      if (verdict === 'abandoned') log('a rotation mark was abandoned by its writer; refreshing');
      await this.mark(key);
    } catch (error) {
      if (error instanceof TemporarilyUnavailableError) throw error;
      throw storeUnavailable(error, 'marking the refresh token as being rotated');
    }
  }

  /** Marks `key` as being rotated now. Rejects when the store cannot take it (then do not refresh). */
  async mark(key: string): Promise<void> {
    await this.#notes.note(noteKey(key), String(this.#clock()), MARK_TTL_MS);
  }

  /** Removes the mark on `key` after a refresh that produced no token set. Best effort. */
  async unmark(key: string): Promise<void> {
    await this.#notes.note(noteKey(key), '', 1).catch(() => undefined);
  }
}

function noteKey(key: string): string {
  return `rotating:${key}`;
}
