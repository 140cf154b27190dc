// bench/RESULTS.md holds the bench's tables and, between its markers, the scale section (written by
// bench/scale.ts): each writer keeps what the other wrote.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const RESULTS_FILE = join(resolve(import.meta.dirname, '..'), 'bench', 'RESULTS.md');
const BEGIN = '<!-- scale: written by bench/scale.ts -->';
const END = '<!-- /scale -->';

function current(): string {
  try {
    return readFileSync(RESULTS_FILE, 'utf8');
  } catch {
    return '';
  }
}

/** The scale section now in the file (markers included), or ''. */
function scaleSection(text: string): string {
  const at = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  return at >= 0 && end > at ? text.slice(at, end + END.length) : '';
}

/** Writes the bench's own text, keeping the scale section at its end. */
export function writeBenchResults(markdown: string): void {
  const scale = scaleSection(current());
  writeFileSync(RESULTS_FILE, scale ? `${markdown.trimEnd()}\n\n${scale}\n` : markdown);
}

/** Writes the scale section (its lines, without markers), keeping the rest of the file. */
export function writeScaleSection(lines: string[]): void {
  const text = current();
  const section = [BEGIN, ...lines, END].join('\n');
  const old = scaleSection(text);
  writeFileSync(RESULTS_FILE, old ? text.replace(old, () => section) : `${text.trimEnd()}\n\n${section}\n`);
}
