import { readFileSync } from 'node:fs';

/** The README as users read it. */
export const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The text of the `## title` section, up to the next `## ` heading. */
export function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The body rows of the first Markdown table in `text`, as trimmed cells. */
export function tableRows(text: string): string[][] {
  const lines = text.split('\n').filter((line) => line.startsWith('|'));
  return lines.slice(2).map((line) =>
    line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim()),
  );
}

/** The code of every fenced block of `lang` in `text`, in order. */
export function codeBlocks(text: string, lang: string): string[] {
  const blocks: string[] = [];
  const fence = new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```$', 'gm');
  for (const match of text.matchAll(fence)) blocks.push(match[1] ?? '');
  return blocks;
}

/** The identifiers in backticks of a table cell. */
export const backticked = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
