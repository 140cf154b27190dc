// Small numeric helpers for the bench: order statistics over repeats, and human units.

export function median(values: number[]): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: number[]): Spread {
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

export const seconds = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)}s` : '-');
export const millis = (ms: number) => (Number.isFinite(ms) ? `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)}ms` : '-');

/** "12.3s/14.0s/15.2s"; a single value when all three agree at the shown precision. */
export function spreadText(s: Spread, unit: (n: number) => string): string {
  const parts = [unit(s.min), unit(s.median), unit(s.max)];
  return parts[0] === parts[2] ? parts[0]! : parts.join('/');
}

/** A plain-text table with aligned columns, in Markdown pipe syntax (readable in a terminal and in a .md file). */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => (cell ?? '').padEnd(widths[c]!)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}
