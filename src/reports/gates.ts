import { UserError } from '../errors.js';
import type { Coverage } from './cobertura.js';
import { formatPercent } from './cobertura.js';
import { type Finding, SCANNER_SEVERITIES, type ScannerSeverity } from './finding.js';
import type { TestRun } from './junit.js';
import type { Gate } from './summaries.js';

/** Pure decisions: whether a step fails, and why. Reporting never depends on them. */

export function lintGate(findings: Finding[], failOnWarnings: boolean): Gate {
  const reasons: string[] = [];
  for (const severity of ['error', ...(failOnWarnings ? ['warning'] : [])] as const) {
    const hits = findings.filter((f) => f.severity === severity);
    if (hits.length === 0) continue;
    const byTool = ['ruff', 'mypy'].map((t) => [t, hits.filter((f) => f.tool === t).length] as const).filter(([, n]) => n > 0);
    reasons.push(`${hits.length} ${severity}${hits.length === 1 ? '' : 's'} (${byTool.map(([t, n]) => `${t} ${n}`).join(', ')})`);
  }
  return { failed: reasons.length > 0, reasons };
}

export function pytestGate(run: TestRun | undefined, coverage: Coverage | undefined, minCoverage: number | undefined): Gate {
  const reasons: string[] = [];
  if (run?.failed) reasons.push(`${run.failed} test${run.failed === 1 ? '' : 's'} failed`);
  if (run?.errors) reasons.push(`${run.errors} test${run.errors === 1 ? '' : 's'} errored`);
  if (minCoverage !== undefined && coverage && coverage.percent < minCoverage) {
    reasons.push(`line coverage ${formatPercent(coverage.percent)} % is below the minimum ${minCoverage} %`);
  }
  return { failed: reasons.length > 0, reasons };
}

export function scanGate(findings: Finding[], failOn: ScannerSeverity[]): Gate {
  const hits = findings.filter((f) => (failOn as string[]).includes(f.severity));
  if (hits.length === 0) return { failed: false, reasons: [] };
  const parts = SCANNER_SEVERITIES.filter((s) => failOn.includes(s))
    .map((s) => [s, hits.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s.toUpperCase()}`);
  const tools = [...new Set(hits.map((f) => f.tool))].join(', ');
  return { failed: true, reasons: [`${parts.join(', ')} finding${hits.length === 1 ? '' : 's'} (${tools}) at a severity in fail-on`] };
}

/** `fail-on`: a comma list of Trivy severities; empty never fails. */
export function parseFailOn(values: string[]): ScannerSeverity[] {
  const result: ScannerSeverity[] = [];
  for (const v of values) {
    const s = v.toLowerCase();
    if (!(SCANNER_SEVERITIES as readonly string[]).includes(s)) {
      throw new UserError(`input "fail-on": ${JSON.stringify(v)} is not a severity; use a comma list of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN`);
    }
    result.push(s as ScannerSeverity);
  }
  return result;
}

/** A comma list input naming tools, each checked against what the action knows. */
export function parseToolList<T extends string>(input: string, values: string[], allowed: readonly T[]): T[] {
  for (const v of values) {
    if (!(allowed as readonly string[]).includes(v)) throw new UserError(`input "${input}": unknown tool ${JSON.stringify(v)}; expected auto, or a comma list of ${allowed.join(', ')} (empty runs none)`);
  }
  return values as T[];
}
