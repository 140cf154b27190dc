import type { Finding, Severity } from './finding.js';
import { ReportError, isRecord, position, str } from './report-error.js';

const FORMAT = 'mypy (text output or `-O json` lines)';

// file:line[:col[:endLine:endCol]]: severity: message  [code]   (line is absent for module-level errors)
const TEXT_LINE = /^(.+?):(?:(\d+):(?:(\d+):(?:(\d+):(\d+):)?)?)? (error|warning|note): (.*?)(?:  \[([a-z0-9_-]+)\])?$/;
const SUMMARY_LINE = /^(Found \d+ errors? in \d+ files?|Success: no issues found|==== Errors flushed ====|== Return code: \d+|!!! Mypy crashed !!!)/;

/**
 * mypy's plain text (with or without `--show-column-numbers` / `--show-error-end`) or its `-O json`
 * lines. A note that follows an error at the same place explains that error: it is appended to the
 * error's message, not counted as a finding of its own.
 */
export function parseMypy(text: string, source = 'mypy report'): Finding[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const findings: Finding[] = [];
  let recognised = 0;
  for (const line of lines) {
    const finding = line.trimStart().startsWith('{') ? jsonLine(line, source) : textLine(line);
    if (finding === 'summary') {
      recognised++;
      continue;
    }
    if (!finding) continue; // source excerpts and carets of --pretty, usage text
    recognised++;
    const previous = findings[findings.length - 1];
    if (finding.severity === 'note' && previous && previous.severity !== 'note' && previous.file === finding.file && previous.line === finding.line) {
      previous.message += `\n${finding.message}`;
    } else {
      findings.push(finding);
    }
  }
  if (recognised === 0) throw new ReportError(source, FORMAT, `no mypy diagnostic found; first line: ${JSON.stringify(lines[0]!.slice(0, 120))}`);
  return findings;
}

function textLine(line: string): Finding | 'summary' | undefined {
  if (SUMMARY_LINE.test(line)) return 'summary';
  const m = TEXT_LINE.exec(line);
  if (!m) return undefined;
  const [, file, ln, col, endLine, endCol, severity, message, code] = m;
  return {
    tool: 'mypy',
    kind: 'type',
    rule: code ?? (severity === 'note' ? 'note' : 'misc'),
    severity: severity as Severity,
    message: message!,
    file: file!,
    line: position(ln),
    column: position(col),
    endLine: position(endLine),
    endColumn: position(endCol),
    url: code ? `https://mypy.readthedocs.io/en/stable/_refs.html#code-${code}` : undefined,
  };
}

function jsonLine(line: string, source: string): Finding {
  let d: unknown;
  try {
    d = JSON.parse(line);
  } catch (err) {
    throw new ReportError(source, FORMAT, `${err instanceof Error ? err.message : String(err)} in ${JSON.stringify(line.slice(0, 120))}`);
  }
  if (!isRecord(d) || typeof d.file !== 'string' || typeof d.message !== 'string') {
    throw new ReportError(source, FORMAT, `a JSON line has no "file" and "message": ${JSON.stringify(line.slice(0, 120))}`);
  }
  const code = str(d.code);
  const severity: Severity = d.severity === 'note' ? 'note' : d.severity === 'warning' ? 'warning' : 'error';
  const hint = str(d.hint);
  // -O json columns count from 0; end_column is exclusive, which is the 1-based inclusive end.
  const column = typeof d.column === 'number' && d.column >= 0 ? d.column + 1 : undefined;
  return {
    tool: 'mypy',
    kind: 'type',
    rule: code ?? (severity === 'note' ? 'note' : 'misc'),
    severity,
    message: hint ? `${d.message}\n${hint}` : d.message,
    file: d.file,
    line: position(d.line),
    column,
    endLine: position(d.end_line),
    endColumn: position(d.end_column),
    url: code ? `https://mypy.readthedocs.io/en/stable/_refs.html#code-${code}` : undefined,
  };
}
