import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Runs a command quietly; throws with its stderr when it fails. */
export function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_loglevel: 'error', ...env },
  });
}

/**
 * Clones the repository into `dir` as a new contributor would get it (no `dist`, no build
 * output), plus the work tree's uncommitted changes and new files committed on top, so the test
 * checks what is about to be committed. `node_modules` is linked to this checkout's install
 * instead of `npm ci`, which would only add minutes of downloading.
 */
export function freshClone(dir: string, root = resolve('.')): string {
  run('git', ['clone', '--quiet', root, dir], root);
  const diff = run('git', ['diff', 'HEAD', '--binary'], root);
  if (diff.trim() !== '') {
    execFileSync('git', ['apply', '--binary', '--whitespace=nowarn'], { cwd: dir, input: diff });
  }
  const untracked = run('git', ['ls-files', '--others', '--exclude-standard', '-z'], root).split('\0').filter(Boolean);
  for (const file of untracked) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(root, file), join(dir, file));
  }
  if (run('git', ['status', '--porcelain'], dir).trim() !== '') {
    run('git', ['add', '--all'], dir);
    const who = {
      GIT_AUTHOR_NAME: 'test',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 'test',
      GIT_COMMITTER_EMAIL: 't@t',
    };
    run('git', ['commit', '--quiet', '--no-verify', '-m', 'work tree'], dir, who);
  }
  symlinkSync(realpathSync(join(root, 'node_modules')), join(dir, 'node_modules'));
  return dir;
}
