// npm's `prepare` hook. It exists for installs from git (`npm install github:…`): npm clones the
// repository, runs `npm install` in it (which runs this hook), and packs the result, so the
// build must happen here or the installed package has no code. `npm pack` and `npm publish`
// build through `prepack` instead, and a contributor's `npm ci` skips the build: `npm start`
// and the tests run from the TypeScript sources, so nobody waits for declarations they don't use.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const built = existsSync(new URL('../dist/index.js', import.meta.url));
if (built || process.env.npm_command === 'ci') {
  console.log(`prepare: no build (${built ? 'dist is there' : 'npm ci of a checkout'}); npm pack builds dist`);
} else {
  const result = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
