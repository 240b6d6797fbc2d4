// npm's `prepack` and `postpack` hooks: the tarball's package.json carries no `prepare` script.
//
// `prepare` builds `dist` when npm installs the package from git (see prepare.mjs), and that is
// its only use. In a tarball it would do harm: npm lists it among the install scripts a consumer
// must approve ("install-scripts ... passport-synergyflow (prepare: node scripts/prepare.mjs)"),
// and, approved, it would run a file the tarball does not ship. So `prepack` (after the build)
// packs a copy of package.json without it, and `postpack` puts the checkout's own back.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const manifest = new URL('../package.json', import.meta.url);
const saved = new URL('../package.json.unpacked', import.meta.url);

if (process.argv[2] === 'strip') {
  // A pack that died before `postpack` left the stripped copy: the saved one is the checkout's.
  if (!existsSync(saved)) renameSync(manifest, saved);
  const pkg = JSON.parse(readFileSync(saved, 'utf8'));
  delete pkg.scripts.prepare;
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (process.argv[2] === 'restore') {
  if (existsSync(saved)) renameSync(saved, manifest);
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exit(2);
}
