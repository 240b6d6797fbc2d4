import type { Coordinator } from '../coordination/coordinator.js';

/**
 * The former name of the {@link Coordinator} given as the `refreshLock` option.
 * @deprecated Use {@link Coordinator} and the `coordinator` option.
 */
export type RefreshLock = Coordinator;
