import { type Finding, scannerSeverity } from './finding.js';
import { ReportError, int, isRecord, parseJson, position, str } from './report-error.js';

const FORMAT = 'bandit JSON (`bandit -f json`)';

export interface BanditReport {
  findings: Finding[];
  /** Files bandit could not scan. */
  errors: Array<{ file: string; reason: string }>;
}

/** `bandit -f json`. The `code` excerpt is never copied: it can hold the very secret bandit flagged. */
export function parseBandit(text: string, source = 'bandit report'): BanditReport {
  const doc = parseJson(text, source, FORMAT);
  if (!isRecord(doc) || !Array.isArray(doc.results)) throw new ReportError(source, FORMAT, 'expected an object with a "results" array');
  const findings = doc.results.map((r, i): Finding => {
    if (!isRecord(r) || typeof r.filename !== 'string') throw new ReportError(source, FORMAT, `results[${i}] has no "filename"`);
    const rule = str(r.test_id) ?? 'bandit';
    const range = Array.isArray(r.line_range) ? r.line_range.filter((n): n is number => typeof n === 'number') : [];
    const column = int(r.col_offset);
    const endColumn = int(r.end_col_offset);
    const confidence = str(r.issue_confidence);
    return {
      tool: 'bandit',
      kind: 'code',
      rule,
      severity: scannerSeverity(r.issue_severity),
      title: `${rule} ${str(r.test_name) ?? ''}`.trim(),
      message: `${str(r.issue_text) ?? rule}${confidence ? ` (confidence: ${confidence.toLowerCase()})` : ''}`,
      file: r.filename,
      line: position(r.line_number),
      column: column !== undefined && column >= 0 ? column + 1 : undefined,
      endLine: range.length > 1 ? range[range.length - 1] : undefined,
      endColumn: endColumn !== undefined && endColumn > 0 ? endColumn : undefined,
      url: str(r.more_info),
    };
  });
  const errors = (Array.isArray(doc.errors) ? doc.errors : []).filter(isRecord).map((e) => ({ file: str(e.filename) ?? '?', reason: str(e.reason) ?? '' }));
  return { findings, errors };
}
