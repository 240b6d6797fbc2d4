// Work that scales with a count (1,000 or 10,000 logins) gets a time budget derived from this
// machine, not a fixed limit: a first few batches calibrate what one batch costs here, now, and
// the rest must not take more than `factor` times that. A busy machine slows calibration and
// work alike; what fails is work that gets slower as it goes (state that grows with the count).

/**
 * The limit of work whose duration depends only on the machine (a compile, a build, an
 * install, a fixed batch of logins): it stops a hang, it does not judge speed. These took 2 to 4
 * times their old fixed limits beside two CPU hogs with other suites running.
 */
export const HANG_GUARD_MS = 600_000;

/** What {@link runWithinBudget} measured. */
export interface BudgetReport {
  /** Mean cost of one calibration batch, in ms. */
  calibrationBatchMs: number;
  /** The budget of the remaining batches, in ms. */
  budgetMs: number;
  /** What the remaining batches took, in ms. */
  tookMs: number;
}

/** Options of {@link runWithinBudget}. */
export interface BudgetOptions {
  /** Batches in all. */
  batches: number;
  /** Batches that calibrate (counted out of `batches`). */
  calibrationBatches: number;
  /** How many times the calibrated cost the remaining batches may take. Default 10. */
  factor?: number;
}

/**
 * Runs `batch(0)` … `batch(batches - 1)` in turn. Throws as soon as the batches after the
 * calibration have run past `factor` times their calibrated cost.
 */
export async function runWithinBudget(
  options: BudgetOptions,
  batch: (index: number) => Promise<void>,
): Promise<BudgetReport> {
  const { batches, calibrationBatches, factor = 10 } = options;
  const calibrating = performance.now();
  for (let i = 0; i < calibrationBatches; i += 1) await batch(i);
  const calibrationBatchMs = (performance.now() - calibrating) / calibrationBatches;
  const budgetMs = calibrationBatchMs * (batches - calibrationBatches) * factor;
  const start = performance.now();
  for (let i = calibrationBatches; i < batches; i += 1) {
    await batch(i);
    const tookMs = performance.now() - start;
    if (tookMs > budgetMs) {
      throw new Error(
        `batches ${calibrationBatches + 1}-${i + 1} of ${batches} took ${Math.round(tookMs)} ms, over the budget of ` +
          `${Math.round(budgetMs)} ms (${factor} × ${Math.round(calibrationBatchMs)} ms per batch measured on the first ` +
          `${calibrationBatches}): the work gets slower as it goes`,
      );
    }
  }
  return { calibrationBatchMs, budgetMs, tookMs: performance.now() - start };
}
