// The running path: the actions run the tools themselves. Here with Debian's mypy, pytest (+cov) and
// bandit on the sample Django-shaped project (`tool-runner: path`), since this machine has no network
// for uv or Trivy; their installers are exercised up to the clear error a missing download gives.
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type ActionResult, newRunnerDirs, runAction } from '../../testkit/run-action.js';
import { fixturePath } from './fixtures.js';

const SAMPLE = resolve(import.meta.dirname, '..', 'sample-django');
const haveDebianTools = ['/usr/bin/mypy', '/usr/bin/pytest', '/usr/bin/bandit'].every((t) => existsSync(t));
// Debian's tools come first: a pyenv python3 shadows /usr/bin on this machine.
const env = { PATH: `/usr/bin:/bin:${process.env.PATH ?? ''}` };
const describeWithTools = haveDebianTools ? describe : describe.skip;

/** The sample project copied into a fresh workspace (tools write caches next to the code). */
function sampleWorkspace(): string {
  const ws = newRunnerDirs().workspace;
  cpSync(SAMPLE, join(ws, 'app'), { recursive: true });
  return ws;
}

function failureLine(r: ActionResult): string {
  return r.annotations.filter((a) => a.level === 'error').at(-1)?.message ?? '';
}

describeWithTools('running the tools on the sample project (Debian mypy, pytest, bandit)', () => {
  test('lint runs mypy and annotates its type error at line and column', async () => {
    const r = await runAction('lint', { workspace: sampleWorkspace(), env, inputs: { 'working-directory': 'app', run: 'mypy', 'tool-runner': 'path' } });
    expect(r.outputs).toMatchObject({ errors: '1', mypy: '1' });
    expect(r.annotations[0]).toMatchObject({ level: 'error', properties: { file: 'app/parking/billing.py', line: '40', col: '25', title: 'mypy: arg-type' } });
    expect(r.exitCode).toBe(1);
    expect(failureLine(r)).toBe('lint failed: 1 error (mypy 1) (see the annotations and the step summary)');
    expect(r.summary).toMatch(/\| mypy \| 1 \| 0 \| 0 \| mypy 1\.\d+/);
  }, 120_000);

  test('pytest runs with coverage; the failing test fails the step and is annotated where it failed', async () => {
    const r = await runAction('pytest', { workspace: sampleWorkspace(), env, inputs: { 'working-directory': 'app', 'tool-runner': 'path' } });
    expect(r.outputs).toMatchObject({ tests: '8', passed: '6', failed: '1', errors: '0', skipped: '1' });
    expect(Number(r.outputs.coverage)).toBeGreaterThan(50);
    expect(r.annotations[0]).toMatchObject({ level: 'error', properties: { file: 'app/tests/test_billing.py', line: '34' } });
    expect(r.exitCode).toBe(1);
    expect(failureLine(r)).toBe('pytest failed: 1 test failed');
    expect(r.summary).toMatch(/\| app\/parking\/billing.py \| \d+ \| [\d.]+ % \| \d+/);
    expect(r.summary).not.toContain('&#10;');
  }, 120_000);

  test('pytest with args selecting the passing tests and a coverage minimum passes', async () => {
    const r = await runAction('pytest', { workspace: sampleWorkspace(), env, inputs: { 'working-directory': 'app', 'tool-runner': 'path', args: '-k "not known_bug"', 'min-coverage': '50' } });
    expect(r.outputs).toMatchObject({ tests: '7', passed: '6', failed: '0', skipped: '1' });
    expect(r.exitCode).toBe(0);
  }, 120_000);

  test('scan runs bandit beside a Trivy report; the shell call (HIGH) fails the gate; the SARIF has both tools', async () => {
    const ws = sampleWorkspace();
    cpSync(fixturePath('trivy/trivy-it_alpine-310.json.golden'), join(ws, 'trivy.json'));
    const r = await runAction('scan', { workspace: ws, env, inputs: { 'working-directory': 'app', 'trivy-report': 'trivy.json', run: 'bandit', 'tool-runner': 'path', 'fail-on': 'CRITICAL,HIGH' } });
    expect(r.outputs).toMatchObject({ critical: '0', high: '0', medium: '4', low: '0', unknown: '0' });
    expect(r.annotations.find((a) => a.properties.title === 'bandit: B602 subprocess_popen_with_shell_equals_true')).toMatchObject({ level: 'error', properties: { file: 'app/parking/ops.py', line: '7' } });
    expect(r.exitCode).toBe(1);
    expect(failureLine(r)).toMatch(/^scan failed: 1 HIGH finding \(bandit\)/);
    const sarif = JSON.parse(readFileSync(join(ws, 'parking-ci-scan.sarif'), 'utf8'));
    expect(sarif.runs.map((run: { tool: { driver: { name: string } } }) => run.tool.driver.name)).toEqual(['Trivy', 'Bandit']);
  }, 120_000);
});

describe('installing tools without network ends in a clear error', () => {
  // tool-cache retries downloads with a back-off; these make the retries immediate.
  const offline = { PATH: '/usr/bin:/bin', TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS: '0', TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS: '0', HTTPS_PROXY: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9' };

  test('lint with tool-runner uv and no uv on PATH tries to install the pinned uv and says what to do', async () => {
    const r = await runAction('lint', { workspace: sampleWorkspace(), env: offline, inputs: { 'working-directory': 'app', run: 'ruff', 'tool-runner': 'uv', 'uv-version': '0.9.13' } });
    expect(r.exitCode).toBe(1);
    expect(failureLine(r)).toMatch(/^ruff could not run: could not download uv 0\.9\.13 from https:\/\/github\.com\/astral-sh\/uv\/releases\/download\/0\.9\.13\/uv-(x86_64|aarch64)-unknown-linux-gnu\.tar\.gz: .*set tool-runner: path/);
  }, 120_000);

  test('scan with an image-ref tries to install the pinned Trivy and says what to do', async () => {
    const r = await runAction('scan', { workspace: sampleWorkspace(), env: offline, inputs: { 'image-ref': 'registry.example.com/acme/parking-web:1.2.0', run: 'trivy', 'trivy-version': '0.67.2' } });
    expect(r.exitCode).toBe(1);
    expect(failureLine(r)).toMatch(/^trivy could not run: could not download Trivy 0\.67\.2 from https:\/\/github\.com\/aquasecurity\/trivy\/releases\/download\/v0\.67\.2\/trivy_0\.67\.2_Linux-(64bit|ARM64)\.tar\.gz: /);
  }, 120_000);
});
