import type { Finding, Severity, Tool } from './finding.js';

const TOOL_INFO: Record<Tool, { name: string; uri: string }> = {
  ruff: { name: 'Ruff', uri: 'https://docs.astral.sh/ruff/' },
  mypy: { name: 'mypy', uri: 'https://mypy.readthedocs.io/' },
  pytest: { name: 'pytest', uri: 'https://docs.pytest.org/' },
  trivy: { name: 'Trivy', uri: 'https://github.com/aquasecurity/trivy' },
  bandit: { name: 'Bandit', uri: 'https://bandit.readthedocs.io/' },
  'pip-audit': { name: 'pip-audit', uri: 'https://github.com/pypa/pip-audit' },
};

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  error: 'error',
  medium: 'warning',
  warning: 'warning',
  low: 'note',
  unknown: 'note',
  note: 'note',
};

/** GitHub code scanning ranks security results by this CVSS-like score. */
const SECURITY_SEVERITY: Partial<Record<Severity, string>> = { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0', unknown: '0.0' };

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: unknown[];
}

/**
 * One SARIF 2.1.0 log with a run per tool and every finding given, whatever the gate says.
 * Findings without a file (an image's OS packages) are placed on their target, as Trivy does.
 */
export function toSarif(findings: Finding[], options: { tools?: Tool[]; fallbackUri?: string } = {}): SarifLog {
  const tools = options.tools ?? [...new Set(findings.map((f) => f.tool))];
  const runs = tools.map((tool) => {
    const mine = findings.filter((f) => f.tool === tool);
    const rules = new Map<string, { index: number; finding: Finding; worst: Severity }>();
    for (const f of mine) {
      const rule = rules.get(f.rule);
      if (!rule) rules.set(f.rule, { index: rules.size, finding: f, worst: f.severity });
      else if (rank(f.severity) < rank(rule.worst)) rule.worst = f.severity;
    }
    return {
      tool: {
        driver: {
          name: TOOL_INFO[tool].name,
          informationUri: TOOL_INFO[tool].uri,
          rules: [...rules.entries()].map(([id, { finding, worst }]) => ({
            id,
            name: finding.title && /^[A-Za-z0-9._-]+$/.test(finding.title) ? finding.title : undefined,
            shortDescription: { text: (finding.title ?? id).slice(0, 1000) },
            ...(finding.url ? { helpUri: finding.url } : {}),
            defaultConfiguration: { level: LEVEL[worst] },
            properties: {
              tags: [tool, finding.kind, ...(['vulnerability', 'misconfiguration', 'secret', 'code'].includes(finding.kind) ? ['security'] : [])],
              ...(SECURITY_SEVERITY[worst] && finding.kind !== 'lint' && finding.kind !== 'type' && finding.kind !== 'test'
                ? { 'security-severity': SECURITY_SEVERITY[worst] }
                : {}),
            },
          })),
        },
      },
      results: mine.map((f) => ({
        ruleId: f.rule,
        ruleIndex: rules.get(f.rule)!.index,
        level: LEVEL[f.severity],
        message: { text: f.title && !f.message.startsWith(f.title) ? `${f.title}\n${f.message}` : f.message },
        locations: [location(f, options.fallbackUri)],
        properties: {
          severity: f.severity.toUpperCase(),
          ...(f.package ? { package: f.package.name, installedVersion: f.package.installed, fixedVersion: f.package.fixed } : {}),
        },
      })),
      columnKind: 'unicodeCodePoints',
      originalUriBaseIds: { ROOTPATH: { uri: 'file:///' } },
    };
  });
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs };
}

function location(f: Finding, fallbackUri = 'unknown'): unknown {
  const uri = (f.file ?? f.target ?? fallbackUri).replace(/^\.\//, '') || fallbackUri;
  const region: Record<string, number> = { startLine: f.line ?? 1 };
  if (f.column) region.startColumn = f.column;
  if (f.endLine && f.endLine >= region.startLine!) region.endLine = f.endLine;
  if (f.endColumn && f.column && (f.endLine ?? f.line) === f.line && f.endColumn >= f.column) region.endColumn = f.endColumn;
  return { physicalLocation: { artifactLocation: { uri: encodeUri(uri), uriBaseId: 'ROOTPATH' }, region } };
}

/** A relative URI reference: spaces and the like percent-encoded, slashes kept. */
function encodeUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function rank(s: Severity): number {
  return ['critical', 'high', 'error', 'medium', 'warning', 'low', 'unknown', 'note'].indexOf(s);
}
