import { appendFileSync } from 'node:fs';
import { cell, code, escapeHtml, inline } from './escape.js';

/** GitHub rejects a step summary over 1 MiB; we stay well below it, whatever the input. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;
const DEFAULT_BUDGET = STEP_SUMMARY_LIMIT - 64 * 1024;
/** Room always kept for the closing notes (the "N rows not shown" lines). */
const TAIL_RESERVE = 4 * 1024;

export type Cell = string | number;

/**
 * A Markdown step summary with a hard size cap. Every piece is escaped for table cells where it
 * goes into one; tables stop at the row that would break the budget and say how many rows were left
 * out, so the summary is always complete in its counts and never over the limit.
 */
export class SummaryBuilder {
  private readonly parts: string[] = [];
  private used = 0;
  private truncated = false;

  constructor(private readonly budget = DEFAULT_BUDGET) {}

  get bytes(): number {
    return this.used;
  }

  get wasTruncated(): boolean {
    return this.truncated;
  }

  /** Remaining bytes for content, keeping the reserve for closing notes. */
  private get room(): number {
    return this.budget - TAIL_RESERVE - this.used;
  }

  private push(text: string, force = false): boolean {
    const size = Buffer.byteLength(text);
    if (!force && size > this.room) {
      this.truncated = true;
      return false;
    }
    if (force && this.used + size > this.budget) return false;
    this.parts.push(text);
    this.used += size;
    return true;
  }

  heading(text: string, level = 2): this {
    this.push(`${'#'.repeat(level)} ${inline(text)}\n\n`);
    return this;
  }

  /** Raw Markdown (the caller escapes). Dropped whole when it does not fit. */
  markdown(text: string): this {
    this.push(text.endsWith('\n') ? `${text}\n` : `${text}\n\n`);
    return this;
  }

  paragraph(text: string): this {
    return this.markdown(text);
  }

  list(items: string[]): this {
    if (items.length) this.push(`${items.map((i) => `- ${i}`).join('\n')}\n\n`);
    return this;
  }

  /**
   * A table; rows beyond `maxRows` or beyond the budget are counted in a closing line, never cut
   * mid-row. Cells are escaped (`|`, `<`, newlines) and shortened to `maxCell` characters.
   */
  table(headers: string[], rows: Cell[][], options: { maxRows?: number; maxCell?: number; what?: string } = {}): this {
    const maxCell = options.maxCell ?? 300;
    const header = `| ${headers.map((h) => cell(h, maxCell)).join(' | ')} |\n| ${headers.map(() => '---').join(' | ')} |\n`;
    if (rows.length === 0) return this;
    const limit = Math.min(rows.length, options.maxRows ?? Infinity);
    const lines: string[] = [header];
    let size = Buffer.byteLength(header);
    let shown = 0;
    for (; shown < limit; shown++) {
      const line = `| ${rows[shown]!.map((c) => cell(c, maxCell)).join(' | ')} |\n`;
      const lineSize = Buffer.byteLength(line);
      if (size + lineSize + 2 > this.room) {
        this.truncated = true;
        break;
      }
      lines.push(line);
      size += lineSize;
    }
    if (shown > 0) this.push(`${lines.join('')}\n`);
    if (shown < rows.length) this.push(`_${rows.length - shown} more ${options.what ?? 'rows'} not shown._\n\n`, true);
    return this;
  }

  /** A collapsed section; its body is dropped whole when it does not fit. */
  details(summary: string, body: string): this {
    this.push(`<details><summary>${escapeHtml(summary)}</summary>\n\n${body}\n\n</details>\n\n`);
    return this;
  }

  toString(): string {
    const note = this.truncated ? '_This summary was shortened to stay under GitHub\'s 1 MiB limit; the counts above are complete._\n' : '';
    return this.parts.join('') + (note && this.used + Buffer.byteLength(note) <= this.budget ? note : '');
  }

  /** Appends to `GITHUB_STEP_SUMMARY` (several steps share the file); a no-op outside a runner. */
  write(file = process.env.GITHUB_STEP_SUMMARY): void {
    if (file) appendFileSync(file, this.toString());
  }
}

export { cell, code, escapeHtml, inline };
