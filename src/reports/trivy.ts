import { type Finding, type ScannerSeverity, scannerSeverity } from './finding.js';
import { ReportError, isRecord, parseJson, position, str } from './report-error.js';

const FORMAT = 'Trivy JSON (`trivy --format json`)';

export interface TrivyReport {
  artifactName?: string;
  artifactType?: string;
  /** Every finding: vulnerabilities, failed misconfiguration checks, secrets. */
  findings: Finding[];
  /** One per entry of `Results[].Vulnerabilities[]`, by severity. */
  vulnerabilities: Record<ScannerSeverity, number>;
  targets: Array<{ target: string; class?: string; type?: string; vulnerabilities: number; misconfigurations: number; secrets: number }>;
}

/**
 * A Trivy JSON report (SchemaVersion 2): any number of targets, each with `Vulnerabilities`,
 * `Misconfigurations` (only `FAIL` ones are findings) and `Secrets`; a clean scan may have no
 * `Results` at all. Secrets keep Trivy's masked `Match`; their `Code` lines are never read.
 */
export function parseTrivy(text: string, source = 'Trivy report'): TrivyReport {
  const doc = parseJson(text, source, FORMAT);
  if (!isRecord(doc) || !('SchemaVersion' in doc || 'ArtifactName' in doc || 'Results' in doc)) {
    throw new ReportError(source, FORMAT, 'expected an object with SchemaVersion, ArtifactName and Results (run Trivy with `--format json`)');
  }
  if (doc.Results !== undefined && doc.Results !== null && !Array.isArray(doc.Results)) {
    throw new ReportError(source, FORMAT, '"Results" is not an array');
  }
  const artifactType = str(doc.ArtifactType);
  // Targets of filesystem and repository scans are files of the repository; an image's are not.
  const targetsAreFiles = artifactType !== 'container_image' && artifactType !== 'vm';
  const report: TrivyReport = {
    artifactName: str(doc.ArtifactName),
    artifactType,
    findings: [],
    vulnerabilities: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 },
    targets: [],
  };
  for (const [r, result] of ((doc.Results as unknown[] | undefined) ?? []).entries()) {
    if (!isRecord(result)) throw new ReportError(source, FORMAT, `Results[${r}] is not an object`);
    const target = str(result.Target) ?? '';
    const isFile = targetsAreFiles && result.Class !== 'os-pkgs' && target !== '';
    const summary = { target, class: str(result.Class), type: str(result.Type), vulnerabilities: 0, misconfigurations: 0, secrets: 0 };
    for (const v of list(result.Vulnerabilities, `Results[${r}].Vulnerabilities`, source)) {
      const severity = scannerSeverity(v.Severity);
      report.vulnerabilities[severity]++;
      summary.vulnerabilities++;
      const id = str(v.VulnerabilityID) ?? 'unknown-vulnerability';
      const name = str(v.PkgName) ?? '?';
      const installed = str(v.InstalledVersion);
      const fixed = str(v.FixedVersion);
      report.findings.push({
        tool: 'trivy',
        kind: 'vulnerability',
        rule: id,
        severity,
        title: `${id} in ${name}${installed ? ` ${installed}` : ''}`,
        message: `${str(v.Title) ?? id}: ${name} ${installed ?? ''} ${fixed ? `(fixed in ${fixed})` : '(no fix yet)'}`.replace(/\s+/g, ' '),
        file: isFile ? target : undefined,
        url: str(v.PrimaryURL),
        package: { name, installed, fixed },
        target,
      });
    }
    for (const m of list(result.Misconfigurations, `Results[${r}].Misconfigurations`, source)) {
      if (m.Status !== undefined && m.Status !== 'FAIL') continue;
      summary.misconfigurations++;
      const cause = isRecord(m.CauseMetadata) ? m.CauseMetadata : {};
      const id = str(m.AVDID) ?? str(m.ID) ?? 'misconfiguration';
      report.findings.push({
        tool: 'trivy',
        kind: 'misconfiguration',
        rule: id,
        severity: scannerSeverity(m.Severity),
        title: `${id}: ${str(m.Title) ?? ''}`.trim(),
        message: [str(m.Message) ?? str(m.Title) ?? id, str(m.Resolution) ? `Fix: ${str(m.Resolution)}` : undefined].filter(Boolean).join('\n'),
        file: target || undefined,
        line: position(cause.StartLine),
        endLine: position(cause.EndLine),
        url: str(m.PrimaryURL),
        target,
      });
    }
    for (const s of list(result.Secrets, `Results[${r}].Secrets`, source)) {
      summary.secrets++;
      const rule = str(s.RuleID) ?? 'secret';
      report.findings.push({
        tool: 'trivy',
        kind: 'secret',
        rule,
        severity: scannerSeverity(s.Severity),
        title: `Secret: ${str(s.Title) ?? rule}`,
        message: `${str(s.Title) ?? rule} found${maskedMatch(s.Match)}. Revoke it and remove it from the history.`,
        file: target || undefined,
        line: position(s.StartLine),
        endLine: position(s.EndLine),
        target,
      });
    }
    report.targets.push(summary);
  }
  return report;
}

function list(value: unknown, where: string, source: string): Array<Record<string, unknown>> {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ReportError(source, FORMAT, `${where} is not an array`);
  return value.map((v, i) => {
    if (!isRecord(v)) throw new ReportError(source, FORMAT, `${where}[${i}] is not an object`);
    return v;
  });
}

/** Trivy's `Match` with the secret already replaced by `*`; shown only when it is masked. */
function maskedMatch(match: unknown): string {
  const m = str(match);
  if (!m || !/\*{4,}/.test(m)) return '';
  return `: \`${m.trim().slice(0, 200)}\``;
}
