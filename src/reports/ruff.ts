import type { Finding } from './finding.js';
import { ReportError, int, isRecord, parseJson, position, str } from './report-error.js';

const FORMAT = 'ruff JSON (`ruff check --output-format json`)';

/**
 * `ruff check --output-format json` (an array) or `json-lines` (one object per line). Older ruff
 * wrote no `severity`/`name`/`url`, and `code: null` for syntax errors; notebooks carry a `cell`
 * whose rows count from the top of that cell, so they are kept in the message, not as a file line.
 */
export function parseRuff(text: string, source = 'ruff report'): Finding[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  let diagnostics: unknown[];
  if (trimmed.startsWith('[')) {
    const parsed = parseJson(trimmed, source, FORMAT);
    diagnostics = parsed as unknown[];
  } else if (trimmed.startsWith('{')) {
    diagnostics = trimmed.split('\n').filter((l) => l.trim() !== '').map((line, i) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (err) {
        throw new ReportError(source, FORMAT, `line ${i + 1}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  } else {
    throw new ReportError(source, FORMAT, 'expected a JSON array of diagnostics (run ruff with `--output-format json`)');
  }
  return diagnostics.map((d, i) => ruffFinding(d, i, source));
}

function ruffFinding(d: unknown, index: number, source: string): Finding {
  if (!isRecord(d) || typeof d.message !== 'string' || typeof d.filename !== 'string') {
    throw new ReportError(source, FORMAT, `diagnostic ${index + 1} has no "filename" and "message"`);
  }
  const location = isRecord(d.location) ? d.location : {};
  const end = isRecord(d.end_location) ? d.end_location : {};
  const rule = str(d.code) ?? 'syntax-error';
  const cell = int(d.cell);
  const line = position(location.row);
  const column = position(location.column);
  const finding: Finding = {
    tool: 'ruff',
    kind: 'lint',
    rule,
    severity: d.severity === 'warning' ? 'warning' : 'error',
    message: cell !== undefined ? `${d.message} (cell ${cell}, line ${line ?? '?'}, column ${column ?? '?'})` : d.message,
    file: d.filename,
    title: str(d.name) ? `${rule} ${str(d.name)}` : rule,
  };
  if (cell === undefined) {
    finding.line = line;
    finding.column = column;
    finding.endLine = position(end.row);
    finding.endColumn = position(end.column);
  }
  const url = str(d.url);
  if (url) finding.url = url;
  return finding;
}
