import { expect } from 'vitest';
import { TestBrowser, type SynergyFlowEmulator } from 'passport-synergyflow/testing';

/**
 * Adds user `id` (`User <id>`, `user<id>@example.com`) to the emulator, consents as them, logs a
 * fresh JSON browser in at `appUrl` and returns its cookie header, as the load tests' users send it.
 */
export async function logInNumberedUser(emulator: SynergyFlowEmulator, appUrl: string, id: number): Promise<string> {
  emulator.upsertUser({
    id,
    name: `User ${id}`,
    email: `user${id}@example.com`,
    email_verified_at: null,
    created_at: '2026-01-01T00:00:00.000000Z',
    updated_at: '2026-01-01T00:00:00.000000Z',
  });
  emulator.approveAs(id);
  const browser = new TestBrowser({ accept: 'application/json' });
  const end = await browser.request(`${appUrl}/auth/login`);
  expect(end.status, `login of user ${id}`).toBe(200);
  return browser.cookieHeader(appUrl);
}

/** Adds user 2, "Other User", whose logins must survive what the tests do to user 1's. */
export function addOtherUser(emulator: Pick<SynergyFlowEmulator, 'upsertUser'>): void {
  emulator.upsertUser({
    id: 2,
    name: 'Other User',
    email: 'other@example.com',
    email_verified_at: '2025-01-01T00:00:00.000000Z',
    created_at: '2025-01-01T00:00:00.000000Z',
    updated_at: '2025-01-01T00:00:00.000000Z',
  });
}
