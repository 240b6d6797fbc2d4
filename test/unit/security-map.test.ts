import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/*
 * SECURITY.md names the test proving each catalogue case. This test holds it to the test files,
 * so a renamed or deleted test cannot leave the page claiming a proof that no longer runs.
 *
 * How SECURITY.md cites (the grammar checked here):
 * - `path.test.ts` (relative to test/) names a file, which must exist;
 * - each `› title` after it (until the next file) names an it() title in that file:
 *   `› title…` is a prefix of a title, `› …words…` a piece of one, and `› title` without an
 *   ellipsis is either the start of a title (`› F2`) or a whole title followed by commentary;
 * - "quoted" strings after a file and before its first `›` are rows of a table-driven test and
 *   must appear in the file as string literals.
 * Template-literal titles match with any text in place of `${…}`.
 */

const WILD = Symbol('wild');
type Part = string | typeof WILD;

/** Every it()/test() title of a test file, as literal parts and wildcards. */
function titlesOf(source: string): Part[][] {
  const call =
    /\b(?:it|test)(?:\.(?:only|skip|todo|fails|concurrent|sequential))?(?:\.(?:skipIf|runIf)\((?:[^()]|\([^()]*\))*\))?\(\s*(['"`])((?:\\[\s\S]|(?!\1)[^\\])*)\1/g;
  const titles: Part[][] = [];
  for (const match of source.matchAll(call)) {
    const [, quote, raw = ''] = match;
    const text = raw.replace(/\\(['"`\\])/g, '$1');
    if (quote !== '`') {
      titles.push([text]);
      continue;
    }
    const parts: Part[] = [];
    text.split(/\$\{[^}]*\}/).forEach((piece, index) => {
      if (index > 0) parts.push(WILD);
      if (piece) parts.push(piece);
    });
    titles.push(parts);
  }
  return titles;
}

/** True when `text` is the start of some string the parts can spell. */
function couldStart(text: string, parts: Part[]): boolean {
  if (text === '') return true;
  const [head, ...rest] = parts;
  if (head === undefined) return false;
  if (head === WILD) return [...text].some((_, i) => couldStart(text.slice(i), rest)) || rest.length === 0;
  return text.startsWith(head) ? couldStart(text.slice(head.length), rest) : head.startsWith(text);
}

/** True when `text` begins with a whole string the parts spell (the rest is commentary). */
function beginsWith(text: string, parts: Part[]): boolean {
  const [head, ...rest] = parts;
  if (head === undefined) return true;
  if (head === WILD) return [...text, ''].some((_, i) => i > 0 && beginsWith(text.slice(i), rest));
  return text.startsWith(head) && beginsWith(text.slice(head.length), rest);
}

/** Markdown as read: escapes and inline code marks removed, spaces collapsed. */
function plain(text: string): string {
  return text
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\\([\\_*|`])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Whether one `› …` citation names a title of the file; the titles never start with a wildcard. */
function cites(segment: string, titles: Part[][]): boolean {
  const text = plain(segment.replace(/\|\s*$/, ''));
  const candidates = titles.filter((title) => title[0] !== WILD);
  if (text.startsWith('…')) {
    const piece = text.slice(1).split('…')[0]?.trim() ?? '';
    return piece.length > 0 && candidates.some((title) => title.some((p) => p !== WILD && p.includes(piece)));
  }
  if (text.includes('…')) {
    const prefix = text.split('…')[0]?.trim() ?? '';
    return prefix.length > 0 && candidates.some((title) => couldStart(prefix, title));
  }
  return candidates.some((title) => couldStart(text, title) || beginsWith(text, title));
}

interface Citation {
  line: number;
  file: string;
  titles: string[];
  rows: string[];
}

/** The citations of SECURITY.md, line by line. */
function citationsOf(markdown: string): Citation[] {
  const citations: Citation[] = [];
  markdown.split('\n').forEach((text, index) => {
    const files = [...text.matchAll(/`([\w./-]+\.test\.ts)`/g)];
    files.forEach((match, i) => {
      const tail = text.slice((match.index ?? 0) + match[0].length, files[i + 1]?.index ?? text.length);
      const [before = '', ...segments] = tail.split('›');
      citations.push({
        line: index + 1,
        file: match[1] ?? '',
        titles: segments.map((segment) => segment.split(/\s\|\s/)[0] ?? ''),
        rows: [...before.matchAll(/"([^"]+)"/g)].map((row) => row[1] ?? ''),
      });
    });
  });
  return citations;
}

describe('SECURITY.md', () => {
  const citations = citationsOf(readFileSync('SECURITY.md', 'utf8'));

  it('names only test files and it() titles that exist', () => {
    const missing: string[] = [];
    for (const { line, file, titles, rows } of citations) {
      const path = `test/${file}`;
      if (!existsSync(path)) {
        missing.push(`line ${line}: no file ${path}`);
        continue;
      }
      const source = readFileSync(path, 'utf8');
      const known = titlesOf(source);
      for (const title of titles) {
        if (!cites(title, known)) missing.push(`line ${line}: ${file} has no test "${plain(title)}"`);
      }
      for (const row of rows) {
        if (!source.includes(`'${row}'`) && !source.includes(`"${row}"`)) {
          missing.push(`line ${line}: ${file} has no table row "${row}"`);
        }
      }
    }
    expect(missing).toEqual([]);
    // The parser found the page's citations at all (a format change would otherwise pass vacuously).
    expect(citations.reduce((sum, c) => sum + c.titles.length, 0)).toBeGreaterThan(80);
  });

  it('the checker itself refuses a title that does not exist and accepts the three citation forms', () => {
    const titles = titlesOf(`it('C1: exchanges the code once', () => {}); it(\`rejects \${x} here\`, () => {});`);
    expect(cites('C1: exchanges the code once, and more commentary', titles)).toBe(true);
    expect(cites('C1', titles)).toBe(true);
    expect(cites('C1: exchanges…', titles)).toBe(true);
    expect(cites('…the code…', titles)).toBe(true);
    expect(cites('rejects anything here', titles)).toBe(true);
    expect(cites('C1: exchanges the code twice', titles)).toBe(false);
    expect(cites('C2: …', titles)).toBe(false);
    expect(cites('…no such words…', titles)).toBe(false);
  });
});
