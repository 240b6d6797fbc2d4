import { format } from 'node:util';
import createDebug from 'debug';
import { afterAll, beforeAll, vi } from 'vitest';

/**
 * Captures, for the whole test file, every line the package logs through `debug` and everything
 * written to the console, so leak tests can search them. Returns the (live) list of lines.
 */
export function captureLogs(): string[] {
  const logs: string[] = [];
  const originalLog = createDebug.log;
  beforeAll(() => {
    createDebug.enable('passport-synergyflow:*');
    createDebug.log = (...args: unknown[]) => void logs.push(format(...args));
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logs.push(format(...args)));
    }
  });
  afterAll(() => {
    createDebug.disable();
    createDebug.log = originalLog;
    vi.restoreAllMocks();
  });
  return logs;
}
