// Debug lines an operator can follow: a line for each login and callback outcome, and one short
// correlation id shared by the lines of one request, different between concurrent requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs } from '../helpers/logs.js';
import { startRig, type Rig } from '../helpers/rig.js';

const logs = captureLogs();
let rig: Rig;

/** The correlation id of a line, when it has one. */
const idOf = (line: string): string | undefined => /\[([A-Za-z0-9_-]{6})\]/.exec(line)?.[1];

describe('debug lines with a correlation id', () => {
  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(() => rig?.close());

  it('two logins at once: each callback has its outcome line, and all its lines share one id of its own', async () => {
    logs.length = 0;
    await Promise.all([rig.login(), rig.login()]);
    const outcomes = logs.filter((line) => / login success in \d+ ms/.test(line));
    expect(outcomes).toHaveLength(2);
    const ids = outcomes.map(idOf);
    expect(ids.every((id) => id !== undefined)).toBe(true);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) {
      const lines = logs.filter((line) => idOf(line) === id);
      // The outcome line and the answer line of the same callback request.
      expect(lines.some((line) => / callback answered 303 in \d+ ms/.test(line))).toBe(true);
    }
    const starts = logs.filter((line) => / login answered 302 in \d+ ms/.test(line));
    expect(starts).toHaveLength(2);
    expect(new Set(starts.map(idOf)).size).toBe(2);
  });

  it('a failed callback says why, under its request id', async () => {
    logs.length = 0;
    const answer = await rig.browser().request(`${rig.url}/auth/callback?state=nope&code=x`);
    expect(answer.status).toBe(400);
    const failed = logs.find((line) => / login failed: unknown_state/.test(line));
    expect(failed && idOf(failed)).toBeDefined();
    const answered = logs.find((line) => / callback answered 400/.test(line));
    expect(answered && idOf(answered)).toBe(idOf(failed!));
  });
});
