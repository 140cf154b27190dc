// bench/RESULTS.md holds the bench's tables and, between their markers, the sections other benches
// write (scale: bench/scale.ts; stack: bench/stack.ts): each writer keeps what the others wrote.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const RESULTS_FILE = join(resolve(import.meta.dirname, '..'), 'bench', 'RESULTS.md');
const SECTIONS = { scale: 'bench/scale.ts', stack: 'bench/stack.ts' } as const;
type Section = keyof typeof SECTIONS;
const markers = (name: Section) => [`<!-- ${name}: written by ${SECTIONS[name]} -->`, `<!-- /${name} -->`] as const;

function current(): string {
  try {
    return readFileSync(RESULTS_FILE, 'utf8');
  } catch {
    return '';
  }
}

/** A section now in the file (markers included), or ''. */
function section(text: string, name: Section): string {
  const [begin, end] = markers(name);
  const at = text.indexOf(begin);
  const to = text.indexOf(end);
  return at >= 0 && to > at ? text.slice(at, to + end.length) : '';
}

/** Writes the bench's own text, keeping the other benches' sections at its end. */
export function writeBenchResults(markdown: string): void {
  const text = current();
  const kept = (Object.keys(SECTIONS) as Section[]).map((n) => section(text, n)).filter(Boolean);
  writeFileSync(RESULTS_FILE, kept.length ? `${markdown.trimEnd()}\n\n${kept.join('\n\n')}\n` : markdown);
}

/** Writes one section (its lines, without markers), keeping the rest of the file. */
export function writeSection(name: Section, lines: string[]): void {
  const text = current();
  const [begin, end] = markers(name);
  const fresh = [begin, ...lines, end].join('\n');
  const old = section(text, name);
  writeFileSync(RESULTS_FILE, old ? text.replace(old, () => fresh) : `${text.trimEnd()}\n\n${fresh}\n`);
}
