// Reports bench (issue #6): parse + summary of large synthetic reports, as `npm run bench` prints them.
// Inputs are generated in a temp dir: a ~50 MB Trivy JSON report and a 20,000-case pytest JUnit file.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SummaryBuilder } from '../src/github/summary.js';
import { selectAnnotations } from '../src/github/annotations.js';
import { toAnnotation } from '../src/reports/annotate.js';
import { parseJUnit, testFindings } from '../src/reports/junit.js';
import { toSarif } from '../src/reports/sarif.js';
import { pytestSummary, scanSummary } from '../src/reports/summaries.js';
import { parseTrivy } from '../src/reports/trivy.js';
import { pytestGate, scanGate } from '../src/reports/gates.js';

export interface BenchRow {
  name: string;
  ms: number;
  summaryBytes: number;
}

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

/** A Trivy image report of about `targetBytes`: OS and language targets with realistic vulnerability entries. */
export function syntheticTrivy(targetBytes = 50 * 1024 * 1024): string {
  const results: unknown[] = [];
  let size = 0;
  let n = 0;
  for (let t = 0; size < targetBytes; t++) {
    const vulns: unknown[] = [];
    for (let i = 0; i < 500 && size < targetBytes; i++, n++) {
      const pkg = `pkg-${t}-${i % 97}`;
      const v = {
        VulnerabilityID: `CVE-20${10 + (n % 15)}-${10000 + n}`,
        PkgID: `${pkg}@1.${i % 10}.${n % 7}`,
        PkgName: pkg,
        PkgIdentifier: { PURL: `pkg:deb/debian/${pkg}@1.${i % 10}.${n % 7}?arch=amd64&distro=debian-12`, UID: n.toString(16).padStart(16, '0') },
        InstalledVersion: `1.${i % 10}.${n % 7}`,
        FixedVersion: n % 3 === 0 ? '' : `1.${i % 10}.${(n % 7) + 1}`,
        Status: n % 3 === 0 ? 'affected' : 'fixed',
        Layer: { Digest: `sha256:${'a'.repeat(64)}`, DiffID: `sha256:${'b'.repeat(64)}` },
        SeveritySource: 'nvd',
        PrimaryURL: `https://avd.aquasec.com/nvd/cve-20${10 + (n % 15)}-${10000 + n}`,
        DataSource: { ID: 'debian', Name: 'Debian Security Tracker', URL: 'https://salsa.debian.org/security-tracker-team/security-tracker' },
        Title: `${pkg}: buffer overflow in the parser of crafted input number ${n}`,
        Description: 'A flaw was found in the way the library parsed crafted input. An attacker able to supply input could cause a denial of service or possibly execute code. '.repeat(3),
        Severity: SEVERITIES[n % SEVERITIES.length],
        CweIDs: ['CWE-787'],
        VendorSeverity: { nvd: 3, redhat: 2 },
        CVSS: { nvd: { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', V3Score: 9.8 } },
        References: [`https://security-tracker.debian.org/tracker/CVE-20${10 + (n % 15)}-${10000 + n}`, 'https://nvd.nist.gov/vuln/detail/CVE'],
        PublishedDate: '2024-01-01T00:00:00Z',
        LastModifiedDate: '2024-06-01T00:00:00Z',
      };
      // Trivy indents its JSON; count the bytes as written (8 more spaces per line at this depth).
      size += JSON.stringify(v, null, 2).replace(/\n/g, '\n        ').length + 2;
      vulns.push(v);
    }
    results.push({ Target: t === 0 ? 'registry.example.com/acme/parking-web:1.2.0 (debian 12.11)' : `usr/local/lib/python3.12/site-packages/pkg${t}/METADATA`, Class: t === 0 ? 'os-pkgs' : 'lang-pkgs', Type: t === 0 ? 'debian' : 'python-pkg', Vulnerabilities: vulns });
  }
  return JSON.stringify({ SchemaVersion: 2, ArtifactName: 'registry.example.com/acme/parking-web:1.2.0', ArtifactType: 'container_image', Results: results }, null, 2);
}

/** pytest's JUnit XML with `cases` test cases: 2% failing with a traceback, 5% skipped. */
export function syntheticJUnit(cases = 20_000): string {
  const parts: string[] = ['<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="0" failures="0" skipped="0" tests="' + cases + '" time="812.5">'];
  for (let i = 0; i < cases; i++) {
    const module = `tests.test_module_${i % 200}`;
    const attrs = `classname="${module}" name="test_case_${i}[param-${i % 7}]" time="${((i % 50) * 0.013).toFixed(3)}"`;
    if (i % 50 === 0) {
      parts.push(`<testcase ${attrs}><failure message="AssertionError: assert ${i} == ${i + 1}&#10;  + where ${i} = compute()">def test_case_${i}():\n&gt;       assert compute() == ${i + 1}\nE       AssertionError: assert ${i} == ${i + 1}\n\ntests/test_module_${i % 200}.py:${10 + (i % 300)}: AssertionError</failure></testcase>`);
    } else if (i % 20 === 1) {
      parts.push(`<testcase ${attrs}><skipped type="pytest.skip" message="needs redis">tests/test_module_${i % 200}.py:3: needs redis</skipped></testcase>`);
    } else parts.push(`<testcase ${attrs}/>`);
  }
  parts.push('</testsuite></testsuites>');
  return parts.join('\n');
}

function time<T>(fn: () => T): [T, number] {
  const started = performance.now();
  const value = fn();
  return [value, performance.now() - started];
}

export async function benchReports(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'parking-ci-bench-reports-'));
  try {
    const trivyFile = join(dir, 'trivy.json');
    writeFileSync(trivyFile, syntheticTrivy());
    const junitFile = join(dir, 'junit.xml');
    writeFileSync(junitFile, syntheticJUnit());
    const mb = (file: string) => `${(statSync(file).size / 2 ** 20).toFixed(0)} MB`;
    const rows: BenchRow[] = [];

    let vulnerabilities = 0;
    const [trivySummary, trivyMs] = time(() => {
      const report = parseTrivy(readFileSync(trivyFile, 'utf8'), trivyFile);
      vulnerabilities = report.findings.length;
      const failOn = ['critical', 'high'] as const;
      const gate = scanGate(report.findings, [...failOn]);
      selectAnnotations(report.findings.map((f) => toAnnotation(f)));
      return scanSummary({ findings: report.findings, sources: [{ tool: 'trivy', from: 'trivy.json' }], artifact: report.artifactName }, gate, [...failOn], new SummaryBuilder()).toString();
    });
    rows.push({ name: `Trivy JSON ${mb(trivyFile)} (${(vulnerabilities / 1000).toFixed(0)}k vulnerabilities): parse + annotations + summary`, ms: trivyMs, summaryBytes: Buffer.byteLength(trivySummary) });

    const [sarifBytes, sarifMs] = time(() => JSON.stringify(toSarif(parseTrivy(readFileSync(trivyFile, 'utf8')).findings)).length);
    rows.push({ name: `Trivy JSON ${mb(trivyFile)}: parse + SARIF (${(sarifBytes / 2 ** 20).toFixed(0)} MB)`, ms: sarifMs, summaryBytes: 0 });

    const [junitSummary, junitMs] = time(() => {
      const run = parseJUnit(readFileSync(junitFile, 'utf8'), junitFile);
      selectAnnotations(testFindings(run).map((f) => toAnnotation(f)));
      return pytestSummary(run, undefined, pytestGate(run, undefined, undefined), undefined, new SummaryBuilder()).toString();
    });
    rows.push({ name: `JUnit XML 20,000 cases (${mb(junitFile)}): parse + annotations + summary`, ms: junitMs, summaryBytes: Buffer.byteLength(junitSummary) });
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
