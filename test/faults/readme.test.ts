import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const instance = readFileSync(new URL('../redis/instance.ts', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The code between `// README: <name> (begin)` and `(end)` in the instance the fault tests run. */
function regions(): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of instance.matchAll(/\/\/ README: (.+) \(begin\)\n([\s\S]*?)\/\/ README: \1 \(end\)/g)) {
    found.set(match[1]!, match[2]!);
  }
  return found;
}

describe('the README runs what the fault tests run', () => {
  it('each README region of test/redis/instance.ts appears verbatim in the README', () => {
    const code = regions();
    expect([...code.keys()]).toEqual(['several instances, setup', 'several instances, shutdown']);
    const section = readme.slice(readme.indexOf('## Running several instances'));
    for (const [name, text] of code) expect(section, `README region "${name}"`).toContain(text);
  });
});
