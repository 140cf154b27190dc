import { UserError } from '../errors.js';
import type { ReportFile } from './files.js';
import { ReportError, isRecord, stripBom } from './report-error.js';

/** The reports the actions read, the input each belongs to, and how the tool writes it. */
export const REPORT_KINDS = {
  ruff: { name: 'ruff JSON', input: 'lint input "ruff-report"', write: 'ruff check --output-format json --exit-zero . > ruff.json' },
  mypy: { name: 'mypy', input: 'lint input "mypy-report"', write: 'mypy . > mypy.txt (or mypy -O json . > mypy.json)' },
  junit: { name: 'JUnit XML', input: 'pytest input "junit-report"', write: 'pytest --junitxml=junit.xml' },
  coverage: { name: 'Cobertura XML', input: 'pytest input "coverage-report"', write: 'pytest --cov --cov-report=xml:coverage.xml' },
  trivy: { name: 'Trivy JSON', input: 'scan input "trivy-report"', write: 'trivy image --format json --output trivy.json IMAGE' },
  bandit: { name: 'bandit JSON', input: 'scan input "bandit-report"', write: 'bandit -r . -f json -o bandit.json' },
  'pip-audit': { name: 'pip-audit JSON', input: 'scan input "pip-audit-report"', write: 'pip-audit -f json -o pip-audit.json' },
} as const;

export type ReportKind = keyof typeof REPORT_KINDS;

/** What else a file may be, to say so when it is given to the wrong input. */
type Sniffed = ReportKind | 'sarif' | 'html' | 'ruff-text' | 'binary';

const OTHER: Record<Exclude<Sniffed, ReportKind>, string> = {
  sarif: 'a SARIF file; the actions read the tools\' own JSON, not SARIF',
  html: 'an HTML page (an error page or an HTML report?), not a report',
  'ruff-text': "ruff's text output; lint reads ruff's JSON",
  binary: 'a binary file (compressed? an artifact archive?), not a text report: unpack it first',
};

/**
 * Parses a report file with the parser of its kind. Every failure becomes one line that names the
 * input and says what to do: a file of another tool's format says which input takes it; a broken
 * file says how the tool writes a good one. Nothing escapes as an "Unexpected error".
 */
export function parseReportFile<T>(file: ReportFile, kind: ReportKind, parse: (text: string, source: string) => T): T {
  const expected = REPORT_KINDS[kind];
  // A tool's own output (the action ran it) has no input to name.
  const who = file.input ? `input "${file.input}": ` : '';
  if (isBinary(file.text)) throw new UserError(`${who}${file.path} is ${OTHER.binary}`);
  try {
    return parse(file.text, file.path);
  } catch (err) {
    const sniffed = sniff(file.text);
    if (sniffed && sniffed !== kind) {
      const what = sniffed in REPORT_KINDS ? `a ${REPORT_KINDS[sniffed as ReportKind].name} report, not ${expected.name}: give it to ${REPORT_KINDS[sniffed as ReportKind].input}` : OTHER[sniffed as keyof typeof OTHER];
      throw new UserError(`${who}${file.path} is ${what}. This input takes the output of \`${expected.write}\``, { file: file.path });
    }
    if (err instanceof ReportError) throw new UserError(`${who}${err.message}. Write the report with \`${expected.write}\``, { file: file.path });
    if (err instanceof UserError) throw err;
    // The parsers check what they read; what is left is a file nested or shaped beyond any tool's output.
    const reason = err instanceof RangeError ? 'it is nested too deeply' : err instanceof Error ? err.message : String(err);
    throw new UserError(`${who}${file.path} could not be read as ${expected.name}: ${reason}. Write the report with \`${expected.write}\``, { file: file.path });
  }
}

/** A cheap look at a file's first bytes and shape: which tool wrote it, when it is one the actions know. */
export function sniff(text: string): Sniffed | undefined {
  const head = stripBom(text.slice(0, 4096)).trimStart();
  if (isBinary(text)) return 'binary';
  if (head.startsWith('<')) {
    if (/^(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<testsuites?[\s>/]/.test(head)) return 'junit';
    if (/<coverage[\s>/]/.test(head) && !/<testsuites?[\s>/]/.test(head)) return 'coverage';
    if (/^<!doctype html|<html[\s>]/i.test(head)) return 'html';
    return undefined;
  }
  if (head.startsWith('{') || head.startsWith('[')) {
    const doc = firstJson(text);
    const first = Array.isArray(doc) ? doc[0] : doc;
    if (isRecord(doc) && Array.isArray(doc.runs) && typeof doc.version === 'string') return 'sarif';
    if (isRecord(doc) && ('SchemaVersion' in doc || 'ArtifactName' in doc || 'Results' in doc)) return 'trivy';
    if (isRecord(doc) && Array.isArray(doc.results) && ('metrics' in doc || 'generated_at' in doc)) return 'bandit';
    if (isRecord(doc) && Array.isArray(doc.dependencies)) return 'pip-audit';
    if (isRecord(first) && 'filename' in first && ('location' in first || 'code' in first)) return 'ruff';
    if (isRecord(first) && 'file' in first && 'severity' in first && 'message' in first) return 'mypy';
    if (Array.isArray(doc) && isRecord(first) && 'name' in first && 'vulns' in first) return 'pip-audit';
    return undefined;
  }
  const line = head.split('\n', 1)[0] ?? '';
  if (/^\S.*?:\d+:\d+: [A-Z]+\d+ /.test(line)) return 'ruff-text';
  if (/^\S.*?:(?:\d+:)*\s?(?:error|warning|note): /.test(line) || /^(Success: no issues found|Found \d+ errors?)/.test(line)) return 'mypy';
  return undefined;
}

function isBinary(text: string): boolean {
  return text.slice(0, 1024).includes('\u0000');
}

/** The whole text as JSON, or its first line (JSON lines); undefined when neither parses. */
function firstJson(text: string): unknown {
  for (const candidate of [stripBom(text), stripBom(text).trimStart().split('\n', 1)[0]!]) {
    try {
      return JSON.parse(candidate);
    } catch {
      // not this one
    }
  }
  return undefined;
}
