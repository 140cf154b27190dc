import type { Finding, ScannerSeverity } from './finding.js';
import { ReportError, isRecord, parseJson, str } from './report-error.js';

const FORMAT = 'pip-audit JSON (`pip-audit -f json`)';

export interface PipAuditReport {
  findings: Finding[];
  dependencies: number;
  /** Dependencies pip-audit could not audit, with its reason. */
  skipped: Array<{ name: string; reason: string }>;
}

/**
 * `pip-audit -f json`: the current `{"dependencies": [...], "fixes": [...]}` or the older flat array.
 * pip-audit gives no severity, so every vulnerability gets `severity` (an input of scan).
 */
export function parsePipAudit(text: string, source = 'pip-audit report', severity: ScannerSeverity = 'high'): PipAuditReport {
  const doc = parseJson(text, source, FORMAT);
  const deps = Array.isArray(doc) ? doc : isRecord(doc) && Array.isArray(doc.dependencies) ? doc.dependencies : undefined;
  if (!deps) throw new ReportError(source, FORMAT, 'expected a "dependencies" array (or the older top-level array)');
  const report: PipAuditReport = { findings: [], dependencies: deps.length, skipped: [] };
  for (const [i, dep] of deps.entries()) {
    if (!isRecord(dep) || typeof dep.name !== 'string') throw new ReportError(source, FORMAT, `dependency ${i + 1} has no "name"`);
    if (str(dep.skip_reason)) {
      report.skipped.push({ name: dep.name, reason: str(dep.skip_reason)! });
      continue;
    }
    for (const v of Array.isArray(dep.vulns) ? dep.vulns : []) {
      if (!isRecord(v)) continue;
      const id = str(v.id) ?? 'vulnerability';
      const fixes = Array.isArray(v.fix_versions) ? v.fix_versions.filter((f): f is string => typeof f === 'string') : [];
      const aliases = Array.isArray(v.aliases) ? v.aliases.filter((a): a is string => typeof a === 'string') : [];
      const installed = str(dep.version);
      report.findings.push({
        tool: 'pip-audit',
        kind: 'vulnerability',
        rule: id,
        severity,
        title: `${id} in ${dep.name}${installed ? ` ${installed}` : ''}`,
        message: `${dep.name} ${installed ?? ''} is vulnerable (${[id, ...aliases].join(', ')}); ${fixes.length ? `fixed in ${fixes.join(', ')}` : 'no fix yet'}. ${(str(v.description) ?? '').slice(0, 500)}`.replace(/ +/g, ' ').trim(),
        url: advisoryUrl(id, aliases),
        package: { name: dep.name, installed, fixed: fixes.join(', ') || undefined },
      });
    }
  }
  return report;
}

function advisoryUrl(id: string, aliases: string[]): string {
  const ghsa = [id, ...aliases].find((a) => a.startsWith('GHSA-'));
  if (ghsa) return `https://github.com/advisories/${ghsa}`;
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}
