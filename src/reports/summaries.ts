import { SummaryBuilder, type Cell, inline } from '../github/summary.js';
import type { Coverage } from './cobertura.js';
import { formatPercent, lineRanges } from './cobertura.js';
import { type Finding, SCANNER_SEVERITIES, type ScannerSeverity, bySeverity, countBy } from './finding.js';
import { type TestRun, testId } from './junit.js';
import type { ToolFailure } from './outcome.js';

function place(f: Pick<Finding, 'file' | 'line' | 'column'>): string {
  if (!f.file) return '';
  return `${f.file}${f.line ? `:${f.line}` : ''}${f.line && f.column ? `:${f.column}` : ''}`;
}

export interface Gate {
  failed: boolean;
  /** Why the step fails (or would fail), one line each. */
  reasons: string[];
}

function gateLine(s: SummaryBuilder, gate: Gate, passText: string, failures: ToolFailure[] = []): void {
  const tools = failures.length ? `${[...new Set(failures.map((f) => f.tool))].join(', ')} could not be read or run (below)` : '';
  if (gate.failed) s.paragraph(`**Result: failed** — ${gate.reasons.join('; ')}${tools ? `; ${tools}` : ''}.`);
  else if (tools) s.paragraph(`**Result: failed** — ${tools}; what was read is reported here.`);
  else s.paragraph(`**Result: passed** — ${passText}.`);
}

/** Each tool that could not be read or run, with the reason (cells escaped: reasons quote inputs and tool output). */
function failuresTable(s: SummaryBuilder, failures: ToolFailure[] = []): void {
  if (failures.length) s.heading('Not read or run', 3).table(['Tool', 'Problem'], failures.map((f) => [f.tool, f.message]), { maxCell: 1000 });
}

// ---------------------------------------------------------------- lint

export interface LintResult {
  findings: Finding[];
  /** Tools that were run or read, with where their findings came from. */
  sources: Array<{ tool: 'ruff' | 'mypy'; from: string }>;
  failures?: ToolFailure[];
}

export function lintSummary(result: LintResult, gate: Gate, builder = new SummaryBuilder()): SummaryBuilder {
  const { findings } = result;
  const s = builder.heading('Lint: ruff and mypy');
  const rows: Cell[][] = result.sources.map(({ tool, from }) => {
    const mine = findings.filter((f) => f.tool === tool);
    return [tool, mine.filter((f) => f.severity === 'error').length, mine.filter((f) => f.severity === 'warning').length, mine.filter((f) => f.severity === 'note').length, from];
  });
  s.table(['Tool', 'Errors', 'Warnings', 'Notes', 'Source'], rows);
  gateLine(s, gate, findings.length ? 'no errors' : 'no findings', result.failures);
  failuresTable(s, result.failures);
  if (findings.length === 0) return s;

  const byRule = [...countBy(findings, (f) => `${f.tool}\u0000${f.rule}`).entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const first = new Map<string, Finding>();
  for (const f of findings) if (!first.has(`${f.tool}\u0000${f.rule}`)) first.set(`${f.tool}\u0000${f.rule}`, f);
  s.heading('By rule', 3).table(
    ['Rule', 'Tool', 'Count', 'First at', 'Docs'],
    byRule.map(([key, n]) => {
      const f = first.get(key)!;
      return [f.title ?? f.rule, f.tool, n, place(f), f.url ?? ''];
    }),
    { what: 'rules' },
  );
  s.heading('By file', 3).table(
    ['File', 'Findings'],
    [...countBy(findings, (f) => f.file ?? '(no file)').entries()].sort((a, b) => b[1] - a[1]).map(([file, n]) => [file, n]),
    { maxRows: 50, what: 'files' },
  );
  s.heading('Findings', 3).table(
    ['Where', 'Rule', 'Message'],
    [...findings].sort(bySeverity).map((f) => [place(f) || '(no file)', `${f.tool} ${f.rule}`, f.message]),
    { maxRows: 1000, what: 'findings' },
  );
  s.paragraph('Reproduce locally: `uv run ruff check .` (add `--fix` for the fixable ones) and `uv run mypy .`.');
  return s;
}

// ---------------------------------------------------------------- pytest

/** `run` is undefined when only a coverage report was given (no tests were read or run). */
export function pytestSummary(run: TestRun | undefined, coverage: Coverage | undefined, gate: Gate, minCoverage: number | undefined, builder = new SummaryBuilder(), failures: ToolFailure[] = []): SummaryBuilder {
  const s = builder.heading('Tests: pytest');
  const covered = coverage ? `${formatPercent(coverage.percent)} %${minCoverage !== undefined ? ` (minimum ${minCoverage} %)` : ''}` : 'not measured';
  s.table(
    ['Tests', 'Passed', 'Failed', 'Errors', 'Skipped', 'Time', 'Line coverage'],
    [run ? [run.tests, run.passed, run.failed, run.errors, run.skipped, `${run.time.toFixed(2)} s`, covered] : ['not read', '', '', '', '', '', covered]],
  );
  const passText = run ? 'every test passed' + (minCoverage !== undefined ? ' and coverage meets the minimum' : '') : minCoverage !== undefined ? 'coverage meets the minimum' : 'coverage read';
  gateLine(s, gate, passText, failures);
  failuresTable(s, failures);
  if (run) testTables(s, run);
  if (coverage) coverageTable(s, coverage);
  return s;
}

function testTables(s: SummaryBuilder, run: TestRun): void {
  const failing = run.cases.filter((c) => c.status === 'failed' || c.status === 'error');
  if (failing.length) {
    s.heading('Failing tests', 3).table(
      ['Test', 'Where', 'Outcome', 'Message'],
      failing.map((c) => [testId(c), c.file ? `${c.file}${c.line ? `:${c.line}` : ''}` : '', c.status, c.message ?? (c.detail ?? '').split('\n').slice(-1)[0] ?? '']),
      { maxRows: 200, what: 'failing tests' },
    );
    const first = failing.find((c) => c.detail);
    if (first?.detail) s.details(`Traceback of ${testId(first)}`, `\`\`\`\n${first.detail.slice(0, 8000).replace(/```/g, "'''")}\n\`\`\``);
  }
  const slowest = [...run.cases].sort((a, b) => b.time - a.time).slice(0, 10).filter((c) => c.time > 0);
  if (slowest.length) s.heading('Slowest tests', 3).table(['Test', 'Time'], slowest.map((c) => [testId(c), `${c.time.toFixed(3)} s`]));
  const skipped = run.cases.filter((c) => c.status === 'skipped');
  if (skipped.length) s.heading('Skipped', 3).table(['Test', 'Reason'], skipped.map((c) => [testId(c), c.message ?? '']), { maxRows: 50, what: 'skipped tests' });
}

function coverageTable(s: SummaryBuilder, coverage: Coverage): void {
  s.heading(`Coverage by file (${coverage.covered}/${coverage.valid} lines${coverage.branchPercent !== undefined ? `, branches ${formatPercent(coverage.branchPercent)} %` : ''})`, 3);
  s.table(
    ['File', 'Lines', 'Covered', 'Missing lines'],
    [...coverage.files].sort((a, b) => a.percent - b.percent || a.file.localeCompare(b.file)).map((f) => [f.file, f.valid, `${formatPercent(f.percent)} %`, lineRanges(f.missing)]),
    { maxRows: 500, what: 'files' },
  );
}

// ---------------------------------------------------------------- scan

export interface ScanResult {
  findings: Finding[];
  /** Trivy vulnerability counts (the outputs), after ignore-unfixed. */
  trivyCounts?: Record<ScannerSeverity, number>;
  artifact?: string;
  sources: Array<{ tool: 'trivy' | 'bandit' | 'pip-audit'; from: string }>;
  banditErrors?: Array<{ file: string; reason: string }>;
  pipAuditSkipped?: Array<{ name: string; reason: string }>;
  sarifFile?: string;
  ignoredUnfixed?: number;
  failures?: ToolFailure[];
}

export function scanSummary(result: ScanResult, gate: Gate, failOn: ScannerSeverity[], builder = new SummaryBuilder()): SummaryBuilder {
  const s = builder.heading(`Security scan${result.artifact ? `: ${result.artifact}` : ''}`);
  const groups: Array<[string, Finding[]]> = [];
  for (const { tool } of result.sources) {
    const mine = result.findings.filter((f) => f.tool === tool);
    if (tool === 'trivy') {
      for (const kind of ['vulnerability', 'misconfiguration', 'secret'] as const) groups.push([`Trivy ${kind === 'vulnerability' ? 'vulnerabilities' : kind === 'secret' ? 'secrets' : 'misconfigurations'}`, mine.filter((f) => f.kind === kind)]);
    } else groups.push([tool === 'bandit' ? 'Bandit (code)' : 'pip-audit (dependencies)', mine]);
  }
  s.table(
    ['Findings', ...SCANNER_SEVERITIES.map((v) => v.toUpperCase()), 'Total'],
    groups.map(([name, fs]) => [name, ...SCANNER_SEVERITIES.map((sev) => fs.filter((f) => f.severity === sev).length), fs.length]),
  );
  s.paragraph(`Sources: ${result.sources.map((x) => `${x.tool} (${inline(x.from)})`).join(', ') || 'none'}. Gate: ${failOn.length ? failOn.map((x) => x.toUpperCase()).join(', ') : 'never fails'}.${result.ignoredUnfixed ? ` ${result.ignoredUnfixed} vulnerabilities without a fix are left out of the counts and the gate (ignore-unfixed).` : ''}${result.sarifFile ? ` Every finding is in ${inline(result.sarifFile)}.` : ''}`);
  gateLine(s, gate, `nothing at ${failOn.length ? failOn.map((x) => x.toUpperCase()).join(' or ') : 'any gated severity'}`, result.failures);
  failuresTable(s, result.failures);

  const vulns = result.findings.filter((f) => f.kind === 'vulnerability' && f.package);
  if (vulns.length) {
    const byPackage = new Map<string, Finding[]>();
    for (const f of vulns) {
      const key = `${f.tool}\u0000${f.package!.name}\u0000${f.package!.installed ?? ''}`;
      byPackage.set(key, [...(byPackage.get(key) ?? []), f]);
    }
    const rows = [...byPackage.values()].sort((a, b) => worst(a) - worst(b) || b.length - a.length);
    s.heading('Vulnerable packages', 3).table(
      ['Package', 'Installed', 'Fixed in', ...SCANNER_SEVERITIES.map((v) => v[0]!.toUpperCase()), 'Advisories'],
      rows.map((fs) => {
        const p = fs[0]!.package!;
        const fixed = [...new Set(fs.map((f) => f.package?.fixed).filter(Boolean))].join('; ');
        return [p.name, p.installed ?? '', fixed || 'no fix', ...SCANNER_SEVERITIES.map((sev) => fs.filter((f) => f.severity === sev).length || ''), [...new Set(fs.map((f) => f.rule))].join(', ')];
      }),
      { maxRows: 500, what: 'packages', maxCell: 400 },
    );
  }
  const misconfigs = result.findings.filter((f) => f.kind === 'misconfiguration');
  if (misconfigs.length) s.heading('Misconfigurations', 3).table(['Severity', 'Check', 'Where', 'Message'], [...misconfigs].sort(bySeverity).map((f) => [f.severity.toUpperCase(), f.title ?? f.rule, place(f), f.message]), { maxRows: 300, what: 'misconfigurations' });
  const secrets = result.findings.filter((f) => f.kind === 'secret');
  // Secrets are listed by place and rule only: never their value.
  if (secrets.length) s.heading('Secrets', 3).table(['Severity', 'Rule', 'Where'], [...secrets].sort(bySeverity).map((f) => [f.severity.toUpperCase(), f.rule, place(f)]), { maxRows: 300, what: 'secrets' });
  const code = result.findings.filter((f) => f.tool === 'bandit');
  if (code.length) {
    s.heading('Bandit by rule', 3).table(
      ['Rule', 'Severity', 'Count', 'First at'],
      [...countBy(code, (f) => f.rule).entries()].sort((a, b) => b[1] - a[1]).map(([rule, n]) => {
        const f = code.find((x) => x.rule === rule)!;
        return [f.title ?? rule, f.severity.toUpperCase(), n, place(f)];
      }),
      { what: 'rules' },
    );
  }
  if (result.banditErrors?.length) s.heading('Files bandit could not scan', 3).table(['File', 'Reason'], result.banditErrors.map((e) => [e.file, e.reason]), { maxRows: 50 });
  if (result.pipAuditSkipped?.length) s.heading('Dependencies pip-audit could not audit', 3).table(['Package', 'Reason'], result.pipAuditSkipped.map((e) => [e.name, e.reason]), { maxRows: 50 });
  return s;
}

function worst(fs: Finding[]): number {
  return Math.min(...fs.map((f) => SCANNER_SEVERITIES.indexOf(f.severity as ScannerSeverity)).map((i) => (i < 0 ? 9 : i)));
}
