// The report actions stand alone (issue 16): given only a report, lint, pytest and scan read it with
// no install and no network; a tool that cannot be installed never loses what the others read.
// The network is blocked for the action: an unreachable proxy, no uv on PATH, downloads that fail at once.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ActionResult, newRunnerDirs, runAction } from '../../testkit/run-action.js';
import { OFFLINE_ENV, fixturePath } from './fixtures.js';

const offline = OFFLINE_ENV;

function workspaceWith(files: Record<string, string>): string {
  const ws = newRunnerDirs().workspace;
  for (const [name, fixture] of Object.entries(files)) copyFileSync(fixturePath(fixture), join(ws, name));
  return ws;
}

const failureLine = (r: ActionResult) => r.annotations.filter((a) => a.level === 'error').at(-1)?.message ?? '';
const noInstall = (r: ActionResult) => {
  expect(r.stdout).not.toMatch(/Install uv|Install Trivy|could not download/);
  expect(r.stdout).not.toMatch(/^\$ /m);
};

describe('scan given only a Trivy report, offline', () => {
  test('prints its counts, writes its SARIF and fails on the HIGH finding (the default gate)', async () => {
    const ws = workspaceWith({ 'trivy.json': 'trivy/trivy-it_ubi-7-comprehensive.json.golden' });
    const r = await runAction('scan', { workspace: ws, env: offline, inputs: { 'trivy-report': 'trivy.json' } });
    noInstall(r);
    expect(r.outputs).toEqual({ critical: '0', high: '1', medium: '0', low: '1', unknown: '0', 'sarif-file': 'parking-ci-scan.sarif' });
    expect(r.stdout).toContain('scan: 0 critical, 1 high, 0 medium, 1 low, 0 unknown Trivy vulnerabilities; 2 findings in parking-ci-scan.sarif');
    const sarif = JSON.parse(readFileSync(join(ws, 'parking-ci-scan.sarif'), 'utf8'));
    expect(sarif.runs.map((run: { tool: { driver: { name: string } } }) => run.tool.driver.name)).toEqual(['Trivy']);
    expect(r.exitCode).toBe(1);
    expect(failureLine(r)).toMatch(/^scan failed: 1 HIGH finding \(trivy\) at a severity in fail-on/);
    expect(r.summary).toContain('Sources: trivy (trivy.json)');
  }, 60_000);

  test('passes when fail-on leaves the findings out', async () => {
    const ws = workspaceWith({ 'trivy.json': 'trivy/trivy-it_ubi-7-comprehensive.json.golden' });
    const r = await runAction('scan', { workspace: ws, env: offline, inputs: { 'trivy-report': 'trivy.json', 'fail-on': 'CRITICAL' } });
    noInstall(r);
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ high: '1', low: '1' });
    expect(existsSync(join(ws, 'parking-ci-scan.sarif'))).toBe(true);
  }, 60_000);

  test('a tool asked for that cannot be installed keeps the Trivy counts, SARIF and summary, and fails naming the tool', async () => {
    const ws = workspaceWith({ 'trivy.json': 'trivy/trivy-it_ubi-7-comprehensive.json.golden' });
    const r = await runAction('scan', { workspace: ws, env: offline, inputs: { 'trivy-report': 'trivy.json', run: 'bandit', 'fail-on': '' } });
    expect(r.outputs).toEqual({ critical: '0', high: '1', medium: '0', low: '1', unknown: '0', 'sarif-file': 'parking-ci-scan.sarif' });
    expect(JSON.parse(readFileSync(join(ws, 'parking-ci-scan.sarif'), 'utf8')).runs).toHaveLength(1);
    expect(r.exitCode).toBe(1);
    expect(failureLine(r)).toMatch(/^bandit could not run: could not download uv 0\.9\.13 from https:\/\/github\.com\/astral-sh\/uv\//);
    expect(r.summary).toContain('### Not read or run');
    expect(r.summary).toContain('**Result: failed** — bandit could not be read or run');
    expect(r.summary).toMatch(/\| Trivy vulnerabilities \| 0 \| 1 \| 0 \| 1 \| 0 \| 2 \|/);
  }, 60_000);
});

describe('pytest given only a coverage report, offline', () => {
  test('reads the coverage and gates on it; the test counts are empty, not zero', async () => {
    const ws = workspaceWith({ 'coverage.xml': 'coverage/misha_coverage_1.xml' });
    const below = await runAction('pytest', { workspace: ws, env: offline, inputs: { 'coverage-report': 'coverage.xml', 'min-coverage': '80' } });
    noInstall(below);
    expect(below.outputs).toEqual({ tests: '', passed: '', failed: '', errors: '', skipped: '', coverage: '31.96' });
    expect(below.stdout).toContain('pytest: no tests read; line coverage 31.96 %');
    expect(below.exitCode).toBe(1);
    expect(failureLine(below)).toBe('pytest failed: line coverage 31.96 % is below the minimum 80 %');
    const above = await runAction('pytest', { workspace: ws, env: offline, inputs: { 'coverage-report': 'coverage.xml', 'min-coverage': '30' } });
    expect(above.exitCode).toBe(0);
    expect(above.summary).toContain('**Result: passed** — coverage meets the minimum.');
    expect(above.summary).toMatch(/### Coverage by file \(489\/1530 lines\)/);
  }, 60_000);

  test('run: pytest beside the coverage report: pytest cannot be installed, the coverage is still reported', async () => {
    const ws = workspaceWith({ 'coverage.xml': 'coverage/misha_coverage_1.xml' });
    const r = await runAction('pytest', { workspace: ws, env: offline, inputs: { 'coverage-report': 'coverage.xml', run: 'pytest' } });
    expect(r.outputs).toMatchObject({ tests: '', coverage: '31.96' });
    expect(r.exitCode).toBe(1);
    expect(failureLine(r)).toMatch(/^pytest could not run: could not download uv 0\.9\.13/);
    expect(r.summary).toContain('### Coverage by file');
  }, 60_000);
});

describe('lint given only one report, offline', () => {
  test('a ruff report alone is read; mypy is not run and has no count', async () => {
    const ws = newRunnerDirs().workspace;
    const diagnostics = [{ code: 'F401', name: 'unused-import', message: '`os` imported but unused', filename: 'app/views.py', location: { row: 1, column: 8 }, end_location: { row: 1, column: 10 }, severity: 'error' }];
    writeFileSync(join(ws, 'ruff.json'), JSON.stringify(diagnostics));
    const r = await runAction('lint', { workspace: ws, env: offline, inputs: { 'ruff-report': 'ruff.json' } });
    noInstall(r);
    expect(r.outputs).toEqual({ errors: '1', warnings: '0', ruff: '1', mypy: '' });
    expect(r.stdout).toContain('lint: 1 errors, 0 warnings (ruff)');
    expect(r.exitCode).toBe(1);
    expect(failureLine(r)).toBe('lint failed: 1 error (ruff 1) (see the annotations and the step summary)');
  }, 60_000);

  test('a mypy report alone, clean, passes without touching the network', async () => {
    const ws = workspaceWith({ 'mypy.txt': 'mypy/sonar-python_mypy_output_show_error_end.txt' });
    const clean = newRunnerDirs().workspace;
    writeFileSync(join(clean, 'mypy.txt'), 'Success: no issues found in 3 source files\n');
    const r = await runAction('lint', { workspace: clean, env: offline, inputs: { 'mypy-report': 'mypy.txt' } });
    noInstall(r);
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toEqual({ errors: '0', warnings: '0', ruff: '', mypy: '0' });
    const dirty = await runAction('lint', { workspace: ws, env: offline, inputs: { 'mypy-report': 'mypy.txt' } });
    expect(dirty.outputs).toMatchObject({ errors: '5', mypy: '5', ruff: '' });
  }, 60_000);

  test('run: ruff,mypy beside a ruff report: mypy cannot be installed, the ruff findings stay', async () => {
    const ws = newRunnerDirs().workspace;
    writeFileSync(join(ws, 'ruff.json'), '[]');
    const r = await runAction('lint', { workspace: ws, env: offline, inputs: { 'ruff-report': 'ruff.json', run: 'ruff,mypy' } });
    expect(r.outputs).toEqual({ errors: '0', warnings: '0', ruff: '0', mypy: '' });
    expect(r.exitCode).toBe(1);
    expect(failureLine(r)).toMatch(/^mypy could not run: could not download uv 0\.9\.13/);
    expect(r.summary).toMatch(/\| ruff \| 0 \| 0 \| 0 \| ruff\.json \|/);
  }, 60_000);
});
