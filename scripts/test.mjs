#!/usr/bin/env node
// `npm test`: type-check, bring the sandbox up when this machine can host it, run every jest project
// (unit and integration in parallel, end-to-end one file at a time), and close with one summary line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const extra = process.argv.slice(2);
const run = (cmd, args, env = {}) =>
  spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

const totals = { passed: 0, failed: 0, skipped: 0 };
let failedSteps = [];

console.log('== typecheck');
if (run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', 'tsconfig.json']) !== 0) failedSteps.push('typecheck');

// The end-to-end tests need the sandbox (root, Linux, its packages installed).
let sandboxReason = null;
if (process.platform !== 'linux') sandboxReason = 'the sandbox needs Linux network namespaces';
else if (process.getuid?.() !== 0) sandboxReason = 'the sandbox needs root (network namespaces, dockerd)';
else if (!existsSync(join(root, 'testkit', 'sandbox', 'sandbox.sh'))) sandboxReason = 'testkit/sandbox/sandbox.sh is missing';
else if (process.env.PARKING_CI_SKIP_E2E) sandboxReason = `PARKING_CI_SKIP_E2E=${process.env.PARKING_CI_SKIP_E2E}`;
if (!sandboxReason) {
  // What a fresh Debian machine lacks (apt packages, the Compose/buildx plugins): idempotent, quick when done.
  for (const script of ['testkit/sandbox/install.sh', 'scripts/install-tools.sh']) {
    if (existsSync(join(root, script)) && run('bash', [join(root, script)]) !== 0) failedSteps.push(`${script} failed`);
  }
  console.log('== sandbox up');
  if (run('bash', [join(root, 'testkit', 'sandbox', 'sandbox.sh'), 'up']) !== 0) sandboxReason = '`npm run sandbox -- up` failed (see above)';
}
if (sandboxReason) {
  console.log(`!! end-to-end tests skipped: ${sandboxReason}`);
  if (process.env.CI === 'true') failedSteps.push(`sandbox (${sandboxReason}; CI must run the end-to-end tests)`);
}

function jestRun(label, args, env = {}) {
  console.log(`== jest: ${label}`);
  const out = join(mkdtempSync(join(tmpdir(), 'parking-ci-jest-')), 'results.json');
  const status = run(process.execPath, ['--experimental-vm-modules', '--no-warnings', jest, '--json', `--outputFile=${out}`, ...args, ...extra], env);
  if (existsSync(out)) {
    const r = JSON.parse(readFileSync(out, 'utf8'));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
    totals.skipped += r.numPendingTests + r.numTodoTests;
  }
  if (status !== 0) failedSteps.push(`jest ${label}`);
}

jestRun('unit + integration', ['--selectProjects', 'unit', 'integration']);
jestRun('end-to-end', ['--selectProjects', 'e2e', '--runInBand'], sandboxReason ? { PARKING_CI_SANDBOX_SKIP: sandboxReason } : {});

if (failedSteps.length) console.log(`!! failed: ${failedSteps.join('; ')}`);
console.log(`Tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedSteps.length ? 1 : 0);
