import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshClone, run } from './helpers/fresh-clone.js';

// npm pack, npm publish and installs from git start from a checkout without `dist`. The other
// packaging test packs this work tree, where an earlier build may hide a missing build step.
let work: string;
let clone: string;

/** Every file the package.json exports map points at, as `package/...` tarball paths. */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [`package/${value.replace(/^\.\//, '')}`];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(exportTargets);
}

describe('a fresh clone', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'sf-clone-'));
    clone = freshClone(join(work, 'repo'));
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('has no dist, and npm pack builds one into the tarball (prepack)', () => {
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    run('npm', ['pack', '--pack-destination', work], clone);
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const files = run('tar', ['-tzf', join(work, tarball!)], work)
      .trim()
      .split('\n');
    for (const file of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts']) {
      expect(files).toContain(`package/dist/${file}`);
      expect(files).toContain(`package/dist/testing/${file}`);
    }
    const manifest = JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')) as { exports: unknown };
    const targets = exportTargets(manifest.exports);
    expect(targets.length).toBeGreaterThan(8);
    expect(targets.filter((target) => !files.includes(target))).toEqual([]);
  }, 600_000); // only a hang guard: how long this takes depends on the machine

  it("skips the build on a contributor's npm ci, and builds when npm installs it from git (prepare)", () => {
    rmSync(join(clone, 'dist'), { recursive: true, force: true });
    const ci = run('node', ['scripts/prepare.mjs'], clone, { npm_command: 'ci' });
    expect(ci).toContain('no build');
    expect(existsSync(join(clone, 'dist'))).toBe(false);

    // npm clones the repository, runs `npm install` in it (prepare), then packs it.
    const consumer = join(work, 'consumer');
    mkdirSync(consumer);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `git+file://${clone}`], consumer);
    const installed = join(consumer, 'node_modules/passport-synergyflow');
    expect(existsSync(join(installed, 'dist/index.js'))).toBe(true);
    expect(existsSync(join(installed, 'dist/testing/index.d.ts'))).toBe(true);
    const loaded = run(
      'node',
      [
        '--input-type=module',
        '-e',
        "import { synergyFlow } from 'passport-synergyflow'; import { startTestApp } from 'passport-synergyflow/testing'; console.log(typeof synergyFlow, typeof startTestApp);",
      ],
      consumer,
    );
    expect(loaded.trim()).toBe('function function');
  }, 600_000); // only a hang guard: how long this takes depends on the machine
});
