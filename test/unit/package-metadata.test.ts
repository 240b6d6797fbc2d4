import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { readme } from '../helpers/readme.js';

// What the registry's page and npm show a newcomer: where the project lives, links that work
// outside the repository, and a Node version the whole toolchain agrees with.
const REPOSITORY = 'https://github.com/synergyflow/passport-synergyflow';
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const semver = createRequire(import.meta.url)('semver') as { intersects(a: string, b: string): boolean };

describe('package metadata', () => {
  it('names the repository, the home page and where to report bugs', () => {
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git` });
    expect(pkg.homepage).toBe(`${REPOSITORY}#readme`);
    expect(pkg.bugs).toEqual({ url: `${REPOSITORY}/issues` });
  });

  it("the README's links and images are absolute (the registry's page resolves no relative path)", () => {
    const targets = [...readme.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
    expect(targets.length).toBeGreaterThan(5);
    expect(targets.filter((target) => !/^(https:\/\/|#)/.test(target))).toEqual([]);
    // Ours point at the main branch, so they follow the code rather than one commit.
    const ours = targets.filter((target) => target.includes('synergyflow/passport-synergyflow'));
    expect(ours.filter((target) => !target.includes('/main/'))).toEqual([]);
  });

  it("every installed dev dependency runs on the README's Node major", () => {
    const major = /^Node (\d+) or later/m.exec(readme)?.[1];
    expect(major).toBe('20');
    expect(pkg.engines).toEqual({ node: `>=${major}` });
    const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
      packages: Record<string, { engines?: { node?: string }; optional?: boolean }>;
    };
    // Optional platform packages npm skips when their engines do not fit are left out.
    const refusing = Object.entries(lock.packages)
      .filter(
        ([, entry]) => !entry.optional && entry.engines?.node && !semver.intersects(entry.engines.node, `${major}.x`),
      )
      .map(([name, entry]) => `${name} (node ${entry.engines?.node})`);
    expect(refusing).toEqual([]);
  });
});
