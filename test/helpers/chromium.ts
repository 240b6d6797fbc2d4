// Headless Chromium for the browser tests: Debian's /usr/bin/chromium (or CHROMIUM_PATH) driven
// by playwright-core, with the flags that keep it quiet and offline on these machines.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Where Chromium is: CHROMIUM_PATH, or Debian's package's. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** True when Chromium is installed where {@link CHROMIUM} says. */
export const chromiumAvailable = existsSync(CHROMIUM);

/** No sandbox (containers), no GPU, no QUIC, and none of Chromium's own background traffic. */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A Chromium with a profile directory of its own. */
export interface ChromiumProfile {
  context: BrowserContext;
  /** Closes Chromium and removes its profile directory. */
  close(): Promise<void>;
}

/** Options of {@link launchChromiumProfile}. */
export interface ChromiumProfileOptions {
  /** The page size (Playwright's default otherwise). */
  viewport?: { width: number; height: number };
}

/**
 * Launches headless Chromium on a fresh profile directory (cookies persist across its pages, as
 * in a user's browser). `--user-data-dir` cannot be passed in the flags: the directory is this.
 */
export async function launchChromiumProfile(options: ChromiumProfileOptions = {}): Promise<ChromiumProfile> {
  const dir = mkdtempSync(join(tmpdir(), 'sf-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      ...(options.viewport ? { viewport: options.viewport } : {}),
      args: ARGS,
    });
    return {
      context,
      async close() {
        await context.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Launches headless Chromium without a profile: each `newContext()` is a fresh browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}
