/**
 * One problem a tool found, whatever the tool: the model every parser produces and every reporter
 * (annotations, summary, SARIF, gates) consumes.
 */
export type Severity = 'critical' | 'high' | 'error' | 'medium' | 'warning' | 'low' | 'note' | 'unknown';

export type Tool = 'ruff' | 'mypy' | 'pytest' | 'trivy' | 'bandit' | 'pip-audit';

export type FindingKind = 'lint' | 'type' | 'test' | 'vulnerability' | 'misconfiguration' | 'secret' | 'code';

export interface Finding {
  tool: Tool;
  kind: FindingKind;
  /** The rule, check or advisory id: `F401`, `arg-type`, `CVE-2021-33503`, `B101`, `DS002`. */
  rule: string;
  severity: Severity;
  message: string;
  /** Path as the tool wrote it (relative or absolute); absent for findings without a place (image OS packages). */
  file?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** Documentation of the rule or advisory. */
  url?: string;
  /** A short title for the annotation (rule name, advisory title). */
  title?: string;
  /** For dependency vulnerabilities. */
  package?: { name: string; installed?: string; fixed?: string };
  /** Where the finding was reported inside the scanned artifact (Trivy target). */
  target?: string;
}

/** Most severe first; a scanner's `high` and a linter's `error` weigh the same. */
export const SEVERITY_RANK: Record<Severity, number> = {
  critical: 0,
  high: 1,
  error: 1,
  medium: 2,
  warning: 2,
  low: 3,
  unknown: 4,
  note: 5,
};

export function bySeverity(a: Finding, b: Finding): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
}

/** The scanner scale (Trivy's); `UNKNOWN` for anything it does not name. */
export const SCANNER_SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
export type ScannerSeverity = (typeof SCANNER_SEVERITIES)[number];

export function scannerSeverity(value: unknown): ScannerSeverity {
  const v = typeof value === 'string' ? value.toLowerCase() : '';
  return (SCANNER_SEVERITIES as readonly string[]).includes(v) ? (v as ScannerSeverity) : 'unknown';
}

export function countBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}
