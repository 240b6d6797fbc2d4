import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/provider/rate-limit.js';

const now = Date.parse('2026-11-23T12:00:00Z');

describe('parseRetryAfter (U6)', () => {
  const cases: Array<[string | null, number]> = [
    ['30', 30],
    ['0', 1],
    ['86400', 300],
    [new Date(now + 45_000).toUTCString(), 45],
    ['Monday, 23-Nov-26 12:00:20 GMT', 20],
    ['Mon Nov 23 12:00:10 2026', 10],
    [new Date(now - 60_000).toUTCString(), 60],
    ['-1', 60],
    ['1.5', 60],
    ['soon', 60],
    ['0x10', 60],
    ['', 60],
    [null, 60],
  ];
  for (const [value, expected] of cases) {
    it(`${JSON.stringify(value)} → ${expected} s`, () => {
      expect(parseRetryAfter(value, now, 300)).toBe(expected);
    });
  }
});
