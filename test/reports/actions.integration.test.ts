// lint, pytest and scan given report files, run exactly as the GitHub runner runs them (spec §6).
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ActionResult, newRunnerDirs, runAction } from '../../testkit/run-action.js';
import { fixture, fixturePath, snapshotOutput } from './fixtures.js';

/** A fresh workspace holding the given files (name -> contents or a fixture path). */
function workspace(files: Record<string, { text: string } | { fixture: string }>): string {
  const dir = newRunnerDirs().workspace;
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    if ('text' in content) writeFileSync(join(dir, name), content.text);
    else copyFileSync(fixturePath(content.fixture), join(dir, name));
  }
  return dir;
}

/** The one failure line of a failed step: the last error annotation, with no stack trace anywhere. */
function failureLine(r: ActionResult): string {
  expect(r.stdout).not.toMatch(/^\s+at .*\.js:\d+/m);
  return r.annotations.filter((a) => a.level === 'error').at(-1)!.message;
}

function expectWithinLimits(r: ActionResult): void {
  for (const level of ['error', 'warning', 'notice'] as const) expect(r.annotations.filter((a) => a.level === level).length).toBeLessThanOrEqual(10);
}

const RUFF_JSON = snapshotOutput(fixture('ruff/ruff_cli__lint__output_format_json.snap'));

describe('lint (reports)', () => {
  test('ruff and mypy findings become annotations with file, line and column; errors fail the step', async () => {
    const ws = workspace({ 'reports/ruff.json': { text: RUFF_JSON }, 'reports/mypy.txt': { fixture: 'mypy/sonar-python_mypy_output_show_error_end.txt' } });
    const r = await runAction('lint', { workspace: ws, inputs: { 'ruff-report': 'reports/ruff.json', 'mypy-report': 'reports/mypy.txt' } });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ errors: '8', warnings: '0', ruff: '3', mypy: '5' });
    expectWithinLimits(r);
    expect(r.stdout).toContain('::error title=mypy%3A arg-type,file=mypy/type_hints_noncompliant.py,line=11,endLine=11,col=11,endColumn=14::Argument 1 to "greet_all"');
    expect(r.annotations.find((a) => a.properties.title === 'ruff: F401 unused-import')).toMatchObject({ properties: { file: '[TMP]/input.py', line: '1', col: '8' } });
    expect(failureLine(r)).toBe('lint failed: 8 errors (ruff 3, mypy 5) (see the annotations and the step summary)');
    expect(r.summary).toContain('### By rule');
    expect(r.summary).toMatch(/\| F401 unused-import \| ruff \| 1 \|/);
    expect(r.summary).toMatch(/\| import \| mypy \| 1 \|/);
  });

  test('50 findings: 9 annotations + the failure line, most severe first, and all 50 in the summary', async () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ code: 'E501', name: 'line-too-long', message: `Line too long (${100 + i} > 88)`, filename: `app/m${i}.py`, location: { row: i + 1, column: 89 }, end_location: { row: i + 1, column: 100 + i }, severity: 'error', url: 'https://docs.astral.sh/ruff/rules/line-too-long' }));
    const ws = workspace({ 'ruff.json': { text: JSON.stringify(many) }, 'mypy.txt': { text: 'app/x.py:3: note: Revealed type is "int"\nSuccess: no issues found in 1 source file\n' } });
    const r = await runAction('lint', { workspace: ws, inputs: { 'ruff-report': 'ruff.json', 'mypy-report': 'mypy.txt' } });
    expect(r.exitCode).toBe(1);
    expect(r.annotations.filter((a) => a.level === 'error')).toHaveLength(10);
    expect(r.annotations.filter((a) => a.level === 'notice')).toHaveLength(1);
    expect(r.outputs).toMatchObject({ errors: '50', ruff: '50', mypy: '1' });
    expect(r.summary).toMatch(/\| E501 line-too-long \| ruff \| 50 \|/);
    expect(r.summary).toContain('41 more findings are not annotated');
  });

  test('clean reports pass', async () => {
    const ws = workspace({ 'ruff.json': { text: '[]' }, 'mypy.txt': { text: 'Success: no issues found in 12 source files\n' } });
    const r = await runAction('lint', { workspace: ws, inputs: { 'ruff-report': 'ruff.json', 'mypy-report': 'mypy.txt' } });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ errors: '0', warnings: '0', ruff: '0', mypy: '0' });
    expect(r.summary).toContain('**Result: passed**');
  });

  test('a truncated report fails with one line naming the file', async () => {
    const ws = workspace({ 'ruff.json': { text: RUFF_JSON.slice(0, 300) } });
    const r = await runAction('lint', { workspace: ws, inputs: { 'ruff-report': 'ruff.json', run: '' } });
    expect(r.exitCode).toBe(1);
    expect(failureLine(r)).toMatch(/^input "ruff-report": ruff\.json: not a valid ruff JSON .*report: .*\(the file looks truncated\)\. Write the report with `ruff check --output-format json/);
    expect(r.annotations.filter((a) => a.level === 'error')).toHaveLength(1);
  });
});

describe('pytest (reports)', () => {
  test('failures are annotated at the failing line; outputs count cases; reporting does not depend on the gate', async () => {
    const ws = workspace({ 'junit.xml': { fixture: 'junit/dorny_python-xunit-pytest.xml' }, 'coverage.xml': { fixture: 'coverage/misha_coverage_1.xml' } });
    const r = await runAction('pytest', { workspace: ws, inputs: { 'junit-report': 'junit.xml', 'coverage-report': 'coverage.xml', 'min-coverage': '30' } });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toEqual({ tests: '10', passed: '6', failed: '2', errors: '0', skipped: '2', coverage: '31.96' });
    expect(r.stdout).toContain('::error title=pytest%3A Failed%3A tests.test_lib%3A%3Atest_always_fail,file=tests/test_lib.py,line=25::assert False');
    expect(failureLine(r)).toBe('pytest failed: 2 tests failed');
    expect(r.summary).toContain('### Failing tests');
    expect(r.summary).toContain('### Slowest tests');
    expect(r.summary).toMatch(/### Coverage by file \(489\/1530 lines\)/);
    expect(r.summary).toMatch(/\| tests.test_lib::test_always_skip \| skipped \|/);
  });

  test('coverage under min-coverage fails even when every test passed', async () => {
    const ws = workspace({ 'junit.xml': { fixture: 'junit/junitparser_pytest_success.xml' }, 'coverage.xml': { fixture: 'coverage/misha_coverage_1.xml' } });
    const r = await runAction('pytest', { workspace: ws, inputs: { 'junit-report': 'junit.xml', 'coverage-report': 'coverage.xml', 'min-coverage': '80' } });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ tests: '1', passed: '1', coverage: '31.96' });
    expect(failureLine(r)).toBe('pytest failed: line coverage 31.96 % is below the minimum 80 %');
  });

  test('passing tests above the minimum pass', async () => {
    const ws = workspace({ 'junit.xml': { fixture: 'junit/enricomi_pytest_junit.gloo.standalone.xml' }, 'coverage.xml': { fixture: 'coverage/misha_coverage_3.xml' } });
    const r = await runAction('pytest', { workspace: ws, inputs: { 'junit-report': 'junit.xml', 'coverage-report': 'coverage.xml', 'min-coverage': '90' } });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toEqual({ tests: '97', passed: '80', failed: '0', errors: '0', skipped: '17', coverage: '100.00' });
    expect(r.annotations).toEqual([]);
  });

  test('a bad min-coverage or a missing report is one clear line', async () => {
    const ws = workspace({ 'junit.xml': { fixture: 'junit/junitparser_pytest_success.xml' } });
    const bad = await runAction('pytest', { workspace: ws, inputs: { 'junit-report': 'junit.xml', 'min-coverage': 'lots' } });
    expect(failureLine(bad)).toMatch(/^input "min-coverage": expected a percentage between 0 and 100, got "lots"$/);
    const missing = await runAction('pytest', { workspace: ws, inputs: { 'junit-report': 'nope.xml' } });
    expect(failureLine(missing)).toMatch(/^input "junit-report": nope\.xml does not exist/);
    const noCoverage = await runAction('pytest', { workspace: ws, inputs: { 'junit-report': 'junit.xml', 'min-coverage': '80' } });
    expect(failureLine(noCoverage)).toMatch(/^input "min-coverage" is set but there is no coverage/);
  });
});

const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'sarif-2.1.0.subset.schema.json'), 'utf8'));
function validateSarif(path: string): { runs: Array<{ tool: { driver: { name: string } }; results: unknown[] }> } {
  const ajv = new Ajv.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const sarif = JSON.parse(readFileSync(path, 'utf8'));
  const valid = ajv.validate(schema, sarif);
  expect(ajv.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
  return sarif;
}

describe('scan (reports)', () => {
  const reports = {
    'trivy.json': { fixture: 'trivy/defectdojo_trivy_misconfigurations_and_secrets.json' },
    'bandit.json': { fixture: 'bandit/defectdojo_bandit_dd.json' },
    'pip-audit.json': { fixture: 'pip-audit/defectdojo_pip_audit_many_vulns_new.json' },
  };
  const inputs = { 'trivy-report': 'trivy.json', 'bandit-report': 'bandit.json', 'pip-audit-report': 'pip-audit.json', run: '' };

  test('every finding goes to a SARIF 2.1.0 file; counts are Trivy vulnerabilities; the gate fails on CRITICAL,HIGH', async () => {
    const ws = workspace(reports);
    const r = await runAction('scan', { workspace: ws, inputs });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toEqual({ critical: '0', high: '1', medium: '1', low: '0', unknown: '0', 'sarif-file': 'parking-ci-scan.sarif' });
    const sarif = validateSarif(join(ws, 'parking-ci-scan.sarif'));
    expect(sarif.runs.map((run) => [run.tool.driver.name, run.results.length])).toEqual([['Trivy', 5], ['Bandit', 47], ['pip-audit', 7]]);
    expectWithinLimits(r);
    expect(r.annotations.filter((a) => a.level === 'error')).toHaveLength(10);
    expect(r.annotations[0]!.properties.title).toMatch(/^trivy: Secret: GitHub Personal Access Token$/);
    expect(failureLine(r)).toBe('scan failed: 2 CRITICAL, 9 HIGH findings (trivy, pip-audit) at a severity in fail-on (see the step summary; every finding is in parking-ci-scan.sarif)');
    expect(r.summary).toContain('### Vulnerable packages');
    expect(r.summary).toMatch(/\| urllib3 \| 1.26.3 \| 1.26.5; 1.26.4 \|/);
    expect(r.summary).toContain('### Bandit by rule');
    expect(r.summary).toContain('### Dependencies pip-audit could not audit');
  });

  test('fail-on empty never fails, and the SARIF still holds every finding', async () => {
    const ws = workspace(reports);
    const r = await runAction('scan', { workspace: ws, inputs: { ...inputs, 'fail-on': '', 'sarif-file': 'out/scan.sarif' } });
    expect(r.exitCode).toBe(0);
    expect(r.outputs['sarif-file']).toBe('out/scan.sarif');
    const sarif = validateSarif(join(ws, 'out/scan.sarif'));
    expect(sarif.runs.reduce((n, run) => n + run.results.length, 0)).toBe(59);
  });

  test('ignore-unfixed leaves vulnerabilities without a fix out of counts and gate, not out of the SARIF', async () => {
    const ws = workspace({ 'trivy.json': { fixture: 'trivy/trivy-it_ubi-7-comprehensive.json.golden' } });
    const all = await runAction('scan', { workspace: ws, inputs: { 'trivy-report': 'trivy.json', run: '' } });
    expect(all.outputs).toMatchObject({ high: '1', low: '1' });
    expect(all.exitCode).toBe(1);
    const fixedOnly = await runAction('scan', { workspace: ws, inputs: { 'trivy-report': 'trivy.json', run: '', 'ignore-unfixed': 'true', 'fail-on': 'CRITICAL' } });
    expect(fixedOnly.exitCode).toBe(0);
    expect(fixedOnly.outputs).toMatchObject({ high: '1', low: '0' });
    expect(validateSarif(join(ws, 'parking-ci-scan.sarif')).runs[0]!.results).toHaveLength(2);
  });

  test('a secret is never echoed: only Trivy\'s masked match, never its code lines', async () => {
    const doc = JSON.parse(fixture('trivy/trivy-action_secret-scan_report.json'));
    const token = 'ghp_' + 'R3alL00kingT0kenValue0123456789abcdEFGH';
    doc.Results[0].Secrets[0].Code.Lines[0].Content = `export OTHER=${token}`;
    doc.Results[0].Secrets[0].Code.Lines[2].Content = `export GITHUB_PAT=${token}`;
    const ws = workspace({ 'trivy.json': { text: JSON.stringify(doc) } });
    const r = await runAction('scan', { workspace: ws, inputs: { 'trivy-report': 'trivy.json', run: '' } });
    expect(r.exitCode).toBe(1);
    expect(r.everything).not.toContain(token);
    expect(readFileSync(join(ws, 'parking-ci-scan.sarif'), 'utf8')).not.toContain(token);
    expect(r.annotations[0]).toMatchObject({ level: 'error', properties: { file: 'env', line: '5' } });
    expect(r.annotations[0]!.message).toContain('export GITHUB_PAT=****');
  });

  test('a clean image without Results passes with zero counts', async () => {
    const ws = workspace({ 'trivy.json': { text: '{"SchemaVersion": 2, "ArtifactName": "registry.example.com/acme/parking-web:1.2.0", "ArtifactType": "container_image"}' } });
    const r = await runAction('scan', { workspace: ws, inputs: { 'trivy-report': 'trivy.json', run: '' } });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ critical: '0', high: '0', medium: '0', low: '0', unknown: '0' });
    expect(r.summary).toContain('Security scan: registry.example.com/acme/parking-web:1.2.0');
  });

  test('a corrupt report or a bad fail-on is one line naming it', async () => {
    const ws = workspace({ 'trivy.json': { text: fixture('trivy/trivy-it_alpine-310.json.golden').slice(0, 4000) } });
    const r = await runAction('scan', { workspace: ws, inputs: { 'trivy-report': 'trivy.json', run: '' } });
    expect(failureLine(r)).toMatch(/^input "trivy-report": trivy\.json: not a valid Trivy JSON .* \(the file looks truncated\)\. Write the report with `trivy image --format json/);
    const bad = await runAction('scan', { workspace: ws, inputs: { 'trivy-report': 'trivy.json', run: '', 'fail-on': 'HIGH,SEVERE' } });
    expect(failureLine(bad)).toBe('input "fail-on": "SEVERE" is not a severity; use a comma list of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN');
  });
});
