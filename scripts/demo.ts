// `npm run demo` (issues #9, #12): the pipeline's stages on the real app, run through the runner
// harness as the workflow runs them, against the sandbox's real stack (SANDBOX_ID 2: three app hosts
// and a database host; the Django parking app on Gunicorn, Celery worker and beat, PostgreSQL 17
// through PgBouncer, Redis 8, nginx 1.30): plan; lint (ruff, mypy), pytest (pytest-django, coverage)
// and scan (bandit) of testkit/sandbox/app, each tool run in the app's tools image (Debian's
// packages); build of that app into an image pushed to the sandbox registry; a deploy of the digest
// the build printed under users' load (GET + POST, counted strictly); a failing deploy that rolls
// itself back; a manual rollback; a notification to a local webhook. Prints each step summary as
// terminal text, the load figures, and a closing table of stages. Exits 0 when every stage is green
// (the failing deploy counts as green when it rolled back with no failed request).
//   DEMO_LOAD_SECONDS  seconds of steady load before and after each change (default 3)
//   DEMO_RATE          requests per second over the three hosts (default 200)
process.env.SANDBOX_ID ??= '2';
process.env.SANDBOX_STACK ??= 'django';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { raw, render } from '../src/commands/shell.js';
import { renderSummary, alignTable } from '../testkit/render.js';
import type { ActionResult } from '../testkit/run-action.js';
import type { LoadReport } from '../testkit/sandbox/load.js';
import type { SandboxState } from '../testkit/sandbox/state.js';
// after SANDBOX_ID / SANDBOX_STACK are set: these read them
const { deploy, rollback, servedVersions, workspaceFor } = await import('../testkit/e2e.js');
const { runAction } = await import('../testkit/run-action.js');

const ROOT = resolve(import.meta.dirname, '..');
const LOAD_SECONDS = Number(process.env.DEMO_LOAD_SECONDS ?? 3);
const RATE = Number(process.env.DEMO_RATE ?? 200);
const APP = join(ROOT, 'testkit', 'sandbox', 'app');
const SANDBOX = join(ROOT, 'testkit', 'sandbox', 'sandbox.sh');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'reports');
/** The version the build stage gives the app (what `/` and `/health/` name). */
const BUILT = 'demo';

const tty = process.stdout.isTTY;
const paint = (code: number, s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = (s: string) => paint(1, s);
const dim = (s: string) => paint(2, s);

interface StageOutcome {
  result: string;
  green: boolean;
  failedRequests?: number;
  note?: string;
}
interface Stage extends StageOutcome {
  name: string;
  ms: number;
}
const stages: Stage[] = [];

async function stage(name: string, fn: () => Promise<StageOutcome>): Promise<void> {
  console.log(`\n${bold(`▶ ${name}`)}`);
  const started = Date.now();
  let outcome: StageOutcome;
  try {
    outcome = await fn();
  } catch (err) {
    outcome = { result: 'error', green: false, note: err instanceof Error ? err.message : String(err) };
  }
  const done = { name, ms: Date.now() - started, ...outcome };
  stages.push(done);
  console.log(`${done.green ? '✔' : '✘'} ${name}: ${done.result}${done.note ? ` — ${done.note}` : ''} (${(done.ms / 1000).toFixed(1)}s)`);
}

/** The step summary as a person reads it on the run page, indented under the stage. */
function show(r: ActionResult): void {
  const text = renderSummary(r.summary);
  console.log(text ? text.split('\n').map((l) => `  ${l}`).join('\n') : dim('  (no step summary)'));
  const error = r.annotations.find((a) => a.level === 'error');
  if (r.exitCode !== 0 && error) console.log(`  ${bold('error:')} ${error.message.split('\n')[0]}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let state: SandboxState;

/** Runs `fn` under steady load through every host's nginx, with LOAD_SECONDS of load before and after. */
async function underLoad<T>(fn: () => Promise<T>): Promise<[T, LoadReport]> {
  const { startUserLoad, checkAcknowledged } = await import('../testkit/sandbox/stack-checks.js');
  const load = startUserLoad(state, RATE, 15 * 60_000);
  let report: LoadReport;
  let result: T;
  try {
    await sleep(LOAD_SECONDS * 1000);
    result = await fn();
    await sleep(LOAD_SECONDS * 1000);
  } finally {
    report = await load.stop();
  }
  const f = report.failures;
  console.log(
    `  ${bold('load:')} ${report.requests} requests in ${(report.durationMs / 1000).toFixed(1)}s, ${report.failed} failed ` +
      `(connection ${f.connection}, reset ${f.reset}, timeout ${f.timeout}, non-2xx ${f.non2xx}); ` +
      `latency p50 ${report.latency.p50.toFixed(1)} ms, p99 ${report.latency.p99.toFixed(1)} ms, max ${report.latency.max.toFixed(1)} ms`,
  );
  for (const f of report.firstFailures.slice(0, 5)) console.log(`  ${bold('failed request')} at +${(f.atMs / 1000).toFixed(2)}s ${f.target}: ${f.kind} ${f.detail}`);
  const acked = await checkAcknowledged(state, report.acknowledged, 60_000);
  console.log(`  ${bold('database:')} ${report.acknowledged.length} acknowledged POSTs, ${acked.missing} without their session, ${acked.tasksNotOnce} whose pricing task did not run exactly once`);
  // a lost write or a task run twice fails the stage like a failed request
  report.failed += acked.missing + acked.tasksNotOnce;
  return [result, report];
}

/** What went wrong with a deploy or rollback stage, for the closing table. */
function problems(r: ActionResult, load: LoadReport, served: string[], expected = 'deployed'): string {
  const found: string[] = [];
  if (load.failed > 0) found.push(`${load.failed} failed requests`);
  if (r.outputs.status !== expected) found.push(`status ${r.outputs.status ?? '-'} (expected ${expected}): ${errorLine(r)}`);
  found.push(`serving ${served.join(',')}`);
  return found.join('; ');
}

const errorLine = (r: ActionResult) => r.annotations.find((a) => a.level === 'error')?.message.split('\n')[0] ?? `exit ${r.exitCode}`;
const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

// ---------------------------------------------------------------------------------------------
// the machine

/** Installs the sandbox's packages when one is missing (root only), then brings the real stack up. */
async function prepareSandbox(): Promise<void> {
  const needed = ['dockerd', 'sshd', 'docker-registry', 'busybox', 'nginx', 'htpasswd', 'mmdebstrap'];
  const missing = needed.filter((t) => !has(t) && !existsSync(`/usr/sbin/${t}`));
  if (!missing.length && spawnSync('docker', ['compose', 'version']).status !== 0) missing.push('docker compose');
  if (missing.length) {
    console.log(`missing ${missing.join(', ')}: running testkit/sandbox/install.sh`);
    const r = spawnSync('bash', [join(ROOT, 'testkit', 'sandbox', 'install.sh')], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`testkit/sandbox/install.sh failed (exit ${r.status})`);
  }
  const { ensureSandbox, loadSandbox, resetSandbox } = await import('../testkit/sandbox/state.js');
  console.log(dim('sandbox: ensuring the real stack is up and back at v1 everywhere (the first run builds its images: a few minutes)'));
  try {
    state = await ensureSandbox();
  } catch (err) {
    // `sandbox.sh up` is idempotent; when it fails but a sandbox is already up, that one will do
    const running = loadSandbox();
    if (!running) throw err;
    console.log(dim(`sandbox up failed, using the running one: ${(err instanceof Error ? err.message : String(err)).split('\n').at(-1)}`));
    state = running;
  }
  if (state.stack !== 'django') throw new Error(`sandbox ${process.env.SANDBOX_ID} runs the ${state.stack ?? 'stand-in'} stack, not the real one: \`SANDBOX_ID=${process.env.SANDBOX_ID} npm run sandbox -- down\` first`);
  await resetSandbox();
  // The reset leaves v1 running but no release history: record v1 as a release, so that the manual
  // rollback at the end has a release to go back to.
  console.log(dim('sandbox: recording v1 as the current release (deploy v1, no change to the containers\' version)'));
  const seed = await deploy(state, 'v1');
  if (seed.exitCode !== 0) throw new Error(`recording v1 failed: ${errorLine(seed)}`);
  images = Object.fromEntries(
    run('bash', [SANDBOX, 'base-images'])
      .trim()
      .split('\n')
      .map((l) => l.split('=') as [string, string]),
  );
  if (!images.app || !images.tools) throw new Error('sandbox.sh base-images named no app or tools image');
  tools = toolWrappers();
}

/** stdout of a command that must succeed */
function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
  return r.stdout;
}

let images: Record<string, string> = {};
/** PATH for the lint, pytest and scan actions (tool-runner: path): the tools image's commands first */
let tools: Record<string, string> = {};

/**
 * Writes `tools` into a new directory as commands that run in the tools image on the runner dockerd,
 * with /tmp (the runner's workspace and temp directories) mounted where it is; `docker` holds the run's
 * own options (its network, its environment). Returns the directory.
 */
function toolCommands(tools: string[], docker: string[]): string {
  const bin = mkdtempSync(join(tmpdir(), 'parking-ci-demo-tools-'));
  for (const tool of tools) {
    const line = render(['exec', 'docker', '-H', state.runnerDocker, 'run', '--rm', '-i', ...docker, '-e', 'HOME=/tmp', '-e', 'PYTHONDONTWRITEBYTECODE=1', '-v', '/tmp:/tmp', '-w', raw('"$PWD"'), images.tools!, tool, raw('"$@"')]);
    writeFileSync(join(bin, tool), `#!/bin/sh\n# ${tool} from the app's tools image (Debian forky)\n${line}\n`, { mode: 0o700 });
  }
  return bin;
}

/** `ruff`, `mypy`, `pytest` and `bandit` from the tools image, with no network. */
function toolWrappers(): Record<string, string> {
  return { PATH: `${toolCommands(['ruff', 'mypy', 'pytest', 'bandit'], ['--network', 'none'])}:/usr/bin:/bin:${process.env.PATH ?? ''}` };
}

// ---------------------------------------------------------------------------------------------
// the stages

let workspace = '';
let built = '';

async function plan(): Promise<StageOutcome> {
  workspace = workspaceFor(state);
  const r = await runAction('plan', { workspace });
  show(r);
  return r.exitCode === 0 ? { result: 'ok', green: true, note: `environments ${r.outputs.environments ?? '?'}` } : { result: 'failed', green: false, note: errorLine(r) };
}

/** The app's source in the workspace, as a checkout of the app's repository has it. */
function appSource(): void {
  cpSync(APP, join(workspace, 'app'), { recursive: true, filter: (src) => !/(__pycache__|\.pyc$|staticfiles|release\.json$)/.test(src) });
}

async function lint(): Promise<StageOutcome> {
  console.log(dim(`  ruff and mypy run on testkit/sandbox/app in ${images.tools}`));
  const r = await runAction('lint', { workspace, env: tools, inputs: { 'working-directory': 'app', run: 'ruff,mypy', 'tool-runner': 'path', paths: 'parking tests' }, timeoutMs: 5 * 60_000 });
  show(r);
  return r.exitCode === 0 ? { result: 'ok', green: true, note: `${r.outputs.errors ?? '?'} errors, ${r.outputs.warnings ?? '?'} warnings` } : { result: 'failed', green: false, note: errorLine(r) };
}

/**
 * The test job's services, as a workflow's `services:` gives them: PostgreSQL 17 and Redis 8 from the
 * stack's images, on a network of their own on the runner dockerd, removed afterwards. Returns the PATH
 * whose `pytest` runs on that network with the database's address and password.
 */
async function withTestServices<T>(fn: (env: Record<string, string>) => Promise<T>): Promise<T> {
  const d = (...args: string[]) => run('docker', ['-H', state.runnerDocker, ...args]);
  const name = `parking-ci-demo-${process.pid}`;
  const password = randomBytes(18).toString('base64url');
  const registry = state.registry.address;
  d('network', 'create', name);
  try {
    d('run', '-d', '--name', `${name}-postgres`, '--network', name, '--network-alias', 'postgres', '-e', `POSTGRES_PASSWORD=${password}`, '-e', 'POSTGRES_CREATEDB=1', `${registry}/parking/postgres:17`);
    d('run', '-d', '--name', `${name}-redis`, '--network', name, '--network-alias', 'redis', `${registry}/parking/redis:8`);
    for (let i = 0; ; i++) {
      if (spawnSync('docker', ['-H', state.runnerDocker, 'exec', `${name}-postgres`, 'pg_isready', '-h', '127.0.0.1', '-q'], { stdio: 'ignore' }).status === 0) break;
      if (i > 120) throw new Error('the test job\'s PostgreSQL did not get ready in 60 s');
      await sleep(500);
    }
    const bin = toolCommands(['pytest'], ['--network', name, '-e', 'PARKING_TEST_DATABASE_HOST=postgres', '-e', `PARKING_TEST_DATABASE_PASSWORD=${password}`, '-e', 'PARKING_TEST_REDIS_URL=redis://redis:6379/0']);
    return await fn({ PATH: `${bin}:${tools.PATH}` });
  } finally {
    spawnSync('docker', ['-H', state.runnerDocker, 'rm', '-f', `${name}-postgres`, `${name}-redis`], { stdio: 'ignore' });
    spawnSync('docker', ['-H', state.runnerDocker, 'network', 'rm', name], { stdio: 'ignore' });
  }
}

async function pytest(): Promise<StageOutcome> {
  console.log(dim(`  pytest (pytest-django, pytest-cov) runs the app's tests in ${images.tools}, against PostgreSQL 17 and Redis 8 started for the job`));
  const r = await withTestServices((env) => runAction('pytest', { workspace, env, inputs: { 'working-directory': 'app', 'tool-runner': 'path', 'min-coverage': '75' }, timeoutMs: 5 * 60_000 }));
  show(r);
  const o = r.outputs;
  return r.exitCode === 0
    ? { result: 'ok', green: true, note: `${o.passed ?? '?'}/${o.tests ?? '?'} passed against PostgreSQL 17 + Redis 8, ${o.skipped ?? '?'} skipped, coverage ${o.coverage ?? '?'} %` }
    : { result: 'failed', green: false, note: errorLine(r) };
}

async function scan(): Promise<StageOutcome> {
  // Trivy (its database comes from the network) and pip-audit are not in Debian: their reports are read
  console.log(dim(`  bandit runs on the app in ${images.tools}; Trivy and pip-audit (not in Debian, no network here) are read from reports`));
  copyFileSync(join(FIXTURES, 'trivy', 'trivy-it_alpine-310.json.golden'), join(workspace, 'trivy.json'));
  copyFileSync(join(FIXTURES, 'pip-audit', 'defectdojo_pip_audit_zero_vulns_new.json'), join(workspace, 'pip-audit.json'));
  const inputs: Record<string, string> = { 'trivy-report': 'trivy.json', 'pip-audit-report': 'pip-audit.json', 'fail-on': 'CRITICAL,HIGH', 'working-directory': 'app', run: 'bandit', 'tool-runner': 'path', paths: 'parking' };
  const r = await runAction('scan', { workspace, env: tools, inputs, timeoutMs: 5 * 60_000 });
  show(r);
  const o = r.outputs;
  const counts = `trivy ${o.critical ?? '?'} critical, ${o.high ?? '?'} high, ${o.medium ?? '?'} medium, ${o.low ?? '?'} low; gate CRITICAL,HIGH`;
  return r.exitCode === 0 ? { result: 'ok', green: true, note: counts } : { result: 'failed', green: false, note: errorLine(r) };
}

async function build(): Promise<StageOutcome> {
  console.log(dim(`  the app's Dockerfile, FROM ${images.app} (a Debian forky root made here), as release ${BUILT}`));
  const r = await runAction('build', {
    workspace,
    env: { DOCKER_HOST: state.runnerDocker },
    inputs: {
      image: state.image,
      context: 'app',
      push: 'true',
      tags: BUILT,
      'build-args': `BASE=${images.app}\nVERSION=${BUILT}`,
      registry: state.registry.address,
      username: state.registry.username,
      password: state.registry.password,
    },
    timeoutMs: 10 * 60_000,
  });
  show(r);
  built = r.outputs.digest ?? '';
  if (r.exitCode === 0 && built) return { result: 'ok', green: true, note: `pushed ${r.outputs.image ?? built}; the deploy below uses this digest` };
  return { result: 'failed', green: false, note: errorLine(r) };
}

async function deployBuilt(): Promise<StageOutcome> {
  if (!built) return { result: 'skipped', green: false, note: 'the build stage pushed no image' };
  const [r, load] = await underLoad(() => deploy(state, built, { workspace }));
  show(r);
  const served = await servedVersions(state);
  const ok = r.exitCode === 0 && r.outputs.status === 'deployed' && served.every((v) => v === BUILT) && load.failed === 0;
  return {
    result: r.outputs.status ?? 'failed',
    green: ok,
    failedRequests: load.failed,
    note: ok ? `${r.outputs['previous-version'] ?? '?'} -> ${built.slice(0, 19)}… (${BUILT}) on ${served.length} hosts in ${(Number(r.outputs['duration-ms']) / 1000).toFixed(1)}s` : problems(r, load, served),
  };
}

async function deployBadHealth(): Promise<StageOutcome> {
  const [r, load] = await underLoad(() => deploy(state, 'bad-health', { workspace }));
  show(r);
  const served = await servedVersions(state);
  // Meant to fail: green when it rolled itself back, still serves the build and no request failed.
  const ok = r.exitCode !== 0 && r.outputs.status === 'rolled-back' && served.every((v) => v === BUILT) && load.failed === 0;
  return {
    result: r.outputs.status ?? 'failed',
    green: ok,
    failedRequests: load.failed,
    note: ok ? `deliberate failure: health check failed, rolled back, still serving ${BUILT}` : problems(r, load, served, 'rolled-back'),
  };
}

async function manualRollback(): Promise<StageOutcome> {
  const [r, load] = await underLoad(() => rollback(state, 'previous', { workspace }));
  show(r);
  const served = await servedVersions(state);
  const ok = r.exitCode === 0 && r.outputs.status === 'deployed' && served.every((v) => v === 'v1') && load.failed === 0;
  return {
    result: r.outputs.status ?? 'failed',
    green: ok,
    failedRequests: load.failed,
    note: ok ? `${r.outputs['previous-version'] ?? '?'} -> ${r.outputs.version ?? '?'}` : problems(r, load, served),
  };
}

async function notify(): Promise<StageOutcome> {
  const received: { headers: Record<string, unknown>; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      try {
        received.push({ headers: req.headers, body: JSON.parse(body) as Record<string, unknown> });
      } catch {
        received.push({ headers: req.headers, body: { raw: body } });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/parking-ci`;
  try {
    const message = stages.map((s) => `${s.name}: ${s.result}${s.failedRequests !== undefined ? ` (${s.failedRequests} failed requests)` : ''}`).join('\n');
    const allGreen = stages.every((s) => s.green);
    const r = await runAction('notify', {
      workspace,
      inputs: { channels: 'webhook', 'webhook-url': url, status: allGreen ? 'success' : 'failure', title: 'parking-ci demo pipeline', message, environment: 'production', version: 'v1' },
    });
    show(r);
    const got = received[0]?.body;
    if (got) console.log(`  ${bold('the receiver got:')} ${JSON.stringify({ status: got.status, title: got.title, environment: got.environment, version: got.version, text: got.text })}`);
    const ok = r.exitCode === 0 && r.outputs.sent === '1' && received.length === 1;
    return ok ? { result: 'ok', green: true, note: `1 message delivered to ${url}` } : { result: 'failed', green: false, note: `sent=${r.outputs.sent ?? '?'}, received ${received.length}: ${errorLine(r)}` };
  } finally {
    server.close();
  }
}

// ---------------------------------------------------------------------------------------------

function finalTable(): string {
  const rows = [['stage', 'result', 'time', 'failed requests', 'note']];
  for (const s of stages) rows.push([s.name, s.green ? s.result : `${s.result} ✘`, `${(s.ms / 1000).toFixed(1)}s`, s.failedRequests === undefined ? '-' : String(s.failedRequests), s.note ?? '']);
  return alignTable(rows, '');
}

async function main(): Promise<number> {
  const started = Date.now();
  console.log(bold('parking-ci demo: the pipeline on the real app, on the sandbox\'s real stack, through the runner protocol'));
  if (!existsSync(join(ROOT, 'dist', 'deploy', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  await prepareSandbox();
  console.log(dim(`sandbox: ${state.hosts.map((h) => h.address).join(', ')}; registry ${state.registry.address}; load ${RATE} req/s, ${LOAD_SECONDS}s before and after each change`));

  await stage('plan', plan);
  appSource();
  await stage('lint', lint);
  await stage('pytest', pytest);
  await stage('scan', scan);
  await stage('build', build);
  await stage(`deploy the build (v1 -> ${BUILT})`, deployBuilt);
  await stage('deploy bad-health (must roll back)', deployBadHealth);
  await stage('rollback to previous', manualRollback);
  await stage('notify (webhook)', notify);

  const green = stages.every((s) => s.green);
  console.log(`\n${bold('== stages')}\n${finalTable()}\n`);
  console.log(`${green ? 'demo: every stage green' : `demo: FAILED: ${stages.filter((s) => !s.green).map((s) => s.name).join(', ')}`} (${((Date.now() - started) / 1000).toFixed(0)}s)`);
  return green ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
    if (stages.length) console.log(`\n${bold('== stages')}\n${finalTable()}\n`);
    process.exit(1);
  },
);
