// `npm run bench` (issue #5): what a deploy costs, measured on the sandbox in one run.
// Each row is a change made under steady HTTP load through the three hosts' nginx — once with
// keep-alive connections, once with a new connection per request — repeated BENCH_REPEAT times.
// Prints one table (and writes bench/RESULTS.md with the machine and versions); exits non-zero when
// one of our rows failed a request or did not end as it should. The naive row is expected to fail
// requests: it shows that the load harness sees failures.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ActionResult } from '../testkit/run-action.js';
import { acceptedConnections, deploy, rollback, servedVersions, targets, workspaceFor } from '../testkit/e2e.js';
import { startLoad, type LoadReport } from '../testkit/sandbox/load.js';
import { ensureSandbox, loadSandbox, resetSandbox, type SandboxState } from '../testkit/sandbox/state.js';
import { machineInfo, type MachineInfo } from './machine.js';
import { naiveDeploy } from './naive.js';
import { measureStartup } from './startup.js';
import { median, millis, seconds, spread, spreadText, textTable } from './stats.js';
import { writeBenchResults } from './results-file.js';
import { configDrainMs, overheadMs, oursPerBatchMs, parseTimings, type Timings } from './timings.js';

const ROOT = resolve(import.meta.dirname, '..');
const intEnv = (name: string, fallback: number) => {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n >= 0 && process.env[name] !== '' && process.env[name] !== undefined ? Math.floor(n) : fallback;
};
const REPEAT = Math.max(1, intEnv('BENCH_REPEAT', 3));
/** The pass without keep-alive repeats fewer times by default, to keep the whole run under 15 minutes. */
const REPEAT_NEW_CONNECTIONS = intEnv('BENCH_REPEAT_NO_KEEPALIVE', 1);
const RATE = Math.max(1, intEnv('BENCH_RATE', 200));
/** Load runs this long before the change starts and after it ends. */
const MARGIN_MS = intEnv('BENCH_MARGIN_MS', 1000);
const STARTUP_RUNS = Math.max(1, intEnv('BENCH_STARTUP_RUNS', 10));
const ACTION_TIMEOUT_MS = 5 * 60_000;


/** What one measured change reports besides the load. */
interface Change {
  ok: boolean;
  note?: string;
  timings?: Timings;
}

interface Sample extends Change {
  wallMs: number;
  load?: LoadReport;
  sshPerHost: number[];
  error?: string;
}

interface Row {
  name: string;
  /** Our actions (the exit code depends on them) or the naive baseline. */
  ours: boolean;
  /** Brings the sandbox into the row's starting state, once before the repeats. */
  setup?: () => Promise<void>;
  /** Unmeasured work before each sample (the deploy a rollback then undoes). */
  prepare?: () => Promise<void>;
  change: () => Promise<Change>;
}

interface RowResult {
  row: Row;
  keepAlive: boolean;
  samples: Sample[];
}

const oneLine = (s: string, max = 240) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
};
const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

let state: SandboxState;
/** The version every host serves, so each deploy really changes something (v2 <-> v3). */
let current = 'v1';
const nextVersion = () => (current === 'v2' ? 'v3' : 'v2');

async function refreshCurrent(): Promise<void> {
  try {
    const served = await servedVersions(state);
    // a broken stack (the naive row leaves nginx pointing at removed containers) serves '?': keep what was deployed
    if (served.every((v) => v === served[0] && v !== '?')) current = served[0]!;
  } catch {
    // keep the version tracked from the last change
  }
}

/** `sandbox.sh up` (idempotent); when it fails but a sandbox is already up, that one is used. */
async function upSandbox(): Promise<SandboxState> {
  try {
    return await ensureSandbox();
  } catch (err) {
    const running = loadSandbox();
    if (!running) throw err;
    log(`sandbox up failed, using the running sandbox from its state file: ${(err instanceof Error ? err.message : String(err)).split('\n').at(-1)}`);
    return running;
  }
}

async function reset(): Promise<void> {
  await resetSandbox();
  current = 'v1';
}


/** The action's one error line, for the table's notes. */
function errorLine(r: ActionResult): string {
  return r.annotations.find((a) => a.level === 'error')?.message.split('\n')[0] ?? `exit ${r.exitCode}${r.signal ? ` (${r.signal})` : ''}`;
}

function expectDeployed(r: ActionResult, version: string): Change {
  const ok = r.exitCode === 0 && r.outputs.status === 'deployed';
  if (ok) current = r.outputs.version ?? version;
  return { ok, timings: parseTimings(r), ...(ok ? {} : { note: `status=${r.outputs.status ?? '-'}: ${errorLine(r)}` }) };
}

const deployOptions = (strategy?: string, workspace?: string) => ({ timeoutMs: ACTION_TIMEOUT_MS, inputs: strategy ? { strategy } : {}, ...(workspace ? { workspace } : {}) });

/** A workspace whose config keeps the idle blue-green color running. */
const idleRunning = () => workspaceFor(state, (yaml) => yaml.replace(/^(\s*)keep-releases:/m, '$1keep-idle-color: running\n$1keep-releases:'));

async function deployNext(strategy?: string, workspace?: string): Promise<Change> {
  const version = nextVersion();
  return expectDeployed(await deploy(state, version, deployOptions(strategy, workspace)), version);
}

async function rollbackPrevious(strategy?: string, workspace?: string): Promise<Change> {
  const r = await rollback(state, 'previous', deployOptions(strategy, workspace));
  return expectDeployed(r, r.outputs.version ?? '?');
}

/** An unmeasured deploy that must succeed (the release a rollback row then undoes). */
async function mustDeployNext(strategy?: string, workspace?: string): Promise<void> {
  const change = await deployNext(strategy, workspace);
  if (!change.ok) throw new Error(`preparing deploy failed: ${change.note}`);
}

const ROWS: Row[] = [
  {
    name: 'naive deploy (ssh + compose up -d)',
    ours: false,
    // each run from the seed stack: a naive run leaves nginx pointing at containers it removed
    prepare: reset,
    change: async () => {
      const version = nextVersion();
      const r = await naiveDeploy(state, version);
      if (r.ok) current = version;
      return { ok: r.ok, ...(r.error ? { note: r.error } : {}) };
    },
  },
  // The naive run leaves the stack as compose made it; our rows start from the seed state.
  { name: 'rolling deploy', ours: true, setup: reset, change: () => deployNext('rolling') },
  { name: 'blue-green deploy', ours: true, change: () => deployNext('blue-green') },
  {
    name: 'failed deploy, auto-rollback (bad-health)',
    ours: true,
    // the rolling strategy takes over the colored containers a blue-green deploy left
    setup: () => mustDeployNext('rolling'),
    change: async () => {
      const r = await deploy(state, 'bad-health', deployOptions('rolling'));
      const ok = r.exitCode === 1 && r.outputs.status === 'rolled-back';
      return { ok, timings: parseTimings(r), ...(ok ? {} : { note: `expected status=rolled-back, got ${r.outputs.status ?? '-'} (exit ${r.exitCode}): ${errorLine(r)}` }) };
    },
  },
  { name: 'manual rollback (rolling)', ours: true, prepare: () => mustDeployNext('rolling'), change: () => rollbackPrevious('rolling') },
  { name: 'manual rollback (blue-green)', ours: true, prepare: () => mustDeployNext('blue-green'), change: () => rollbackPrevious('blue-green') },
  {
    name: 'manual rollback (blue-green, idle color running)',
    ours: true,
    // keep-idle-color: running: the color rolled back to is up, the one left stays up idle (nothing to drain)
    prepare: () => mustDeployNext('blue-green', idleRunning()),
    change: () => rollbackPrevious('blue-green', idleRunning()),
  },
];

/** One change under load: connections counted on every sshd, load from MARGIN_MS before to MARGIN_MS after. */
async function measure(row: Row, keepAlive: boolean): Promise<Sample> {
  if (row.prepare) await row.prepare();
  const before = acceptedConnections(state);
  const load = startLoad({ targets: targets(state), rate: RATE, durationMs: 15 * 60_000, keepAlive });
  let change: Change = { ok: false };
  let error: string | undefined;
  let wallMs = NaN;
  let report: LoadReport;
  try {
    await sleep(MARGIN_MS);
    const started = Date.now();
    try {
      change = await row.change();
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    wallMs = Date.now() - started;
    await sleep(MARGIN_MS);
  } finally {
    report = await load.stop();
  }
  const after = acceptedConnections(state);
  return { ...change, ok: change.ok && !error, wallMs, load: report, sshPerHost: after.map((n, i) => n - before[i]!), ...(error ? { error } : {}) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runRow(row: Row, keepAlive: boolean, repeat: number): Promise<RowResult> {
  const result: RowResult = { row, keepAlive, samples: [] };
  const label = `${row.name} [${keepAlive ? 'keep-alive' : 'new connections'}]`;
  try {
    if (row.setup) await row.setup();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log(`${label}: setup failed: ${message}`);
    result.samples.push({ ok: false, wallMs: NaN, sshPerHost: [], error: `setup: ${message}` });
    await recover();
    return result;
  }
  for (let i = 0; i < repeat; i++) {
    let sample: Sample;
    try {
      sample = await measure(row, keepAlive);
    } catch (err) {
      sample = { ok: false, wallMs: NaN, sshPerHost: [], error: err instanceof Error ? err.message : String(err) };
    }
    result.samples.push(sample);
    const l = sample.load;
    log(
      `${label} #${i + 1}: ${sample.ok ? 'ok' : 'FAILED'} wall ${seconds(sample.wallMs)}, ` +
        (l ? `${l.requests} requests, ${l.failed} failed, p99 ${millis(l.latency.p99)}` : 'no load report') +
        `, ssh ${sample.sshPerHost.join('/')}` +
        (sample.error || sample.note ? ` — ${oneLine(sample.error ?? sample.note ?? '')}` : ''),
    );
    if (sample.error) await recover();
    else await refreshCurrent();
  }
  return result;
}

/** After an unexpected error, start the next sample from the seed state. */
async function recover(): Promise<void> {
  try {
    await reset();
  } catch (err) {
    log(`reset after a failure failed too: ${err instanceof Error ? err.message : String(err)}`);
    current = '?';
  }
}

// ---------------------------------------------------------------------------------------------
// the table

const failedRequests = (s: Sample) => s.load?.failed ?? NaN;
const overhead = (s: Sample) => overheadMs(s.wallMs, s.timings);
const oursPerBatch = (s: Sample) => oursPerBatchMs(s.wallMs, s.timings, configDrainMs(readFileSync(state.configFile, 'utf8')));
/** Where a run's time went: its phases, in the order they ran. */
const phasesText = (t: Timings | undefined) =>
  Object.entries(t?.['phases-ms'] ?? {})
    .filter(([, ms]) => ms > 0)
    .map(([k, ms]) => `${k} ${seconds(ms)}`)
    .join(', ') || '-';
const finite = (values: number[]) => values.filter(Number.isFinite);
const count = (n: number) => (Number.isFinite(n) ? String(Math.round(n)) : '-');

/** Whether a row passes: every sample ended as expected, and (ours) no request failed. */
function verdict(r: RowResult): { pass: boolean; text: string } {
  const errors = r.samples.filter((s) => !s.ok);
  const failed = r.samples.reduce((n, s) => n + (s.load?.failed ?? 0), 0);
  if (!r.row.ours) {
    if (errors.length) return { pass: false, text: `ERROR (${errors.length}/${r.samples.length})` };
    return { pass: true, text: failed > 0 ? 'ok (failures expected)' : 'ok, but no failure seen' };
  }
  if (errors.length) return { pass: false, text: `FAILED (${errors.length}/${r.samples.length} runs)` };
  if (failed > 0) return { pass: false, text: `FAILED (${failed} failed requests)` };
  return { pass: true, text: 'ok' };
}

function rowCells(r: RowResult): string[] {
  const s = r.samples;
  const loads = s.map((x) => x.load).filter((l): l is LoadReport => !!l);
  const sum = (k: keyof LoadReport['failures']) => loads.reduce((n, l) => n + l.failures[k], 0);
  const wall = finite(s.map((x) => x.wallMs));
  const failed = finite(s.map(failedRequests));
  const ssh = [...new Set(s.filter((x) => x.sshPerHost.length).map((x) => x.sshPerHost.join('/')))].join(' ') || '-';
  const over = finite(s.map(overhead));
  const perBatch = finite(s.map(oursPerBatch));
  return [
    r.row.name,
    r.keepAlive ? 'keep-alive' : 'new conn',
    String(s.length),
    count(median(loads.map((l) => l.requests))),
    failed.length ? spreadText(spread(failed), count) : '-',
    loads.length ? `${sum('connection')}/${sum('reset')}/${sum('timeout')}/${sum('non2xx')}` : '-',
    loads.length ? String(loads.reduce((n, l) => n + l.staleKeepAlive, 0)) : '-',
    millis(median(loads.map((l) => l.latency.p50))),
    millis(median(loads.map((l) => l.latency.p99))),
    millis(Math.max(...loads.map((l) => l.latency.max))),
    wall.length ? spreadText(spread(wall), seconds) : '-',
    ssh,
    r.row.ours ? (over.length ? spreadText(spread(over), seconds) : '-') : 'n/a',
    r.row.ours ? (perBatch.length ? spreadText(spread(perBatch), seconds) : '-') : 'n/a',
    verdict(r).text,
  ];
}

const HEADER = [
  'change',
  'load',
  'runs',
  'requests (med)',
  'failed min/med/max',
  'conn/reset/timeout/non2xx (sum)',
  'stale keep-alive retried (sum)',
  'p50 (med)',
  'p99 (med)',
  'max',
  'wall min/med/max',
  'ssh conns per host',
  'overhead min/med/max',
  'ours per batch min/med/max',
  'result',
];

/** One line per sample, for RESULTS.md: the figures behind the table. */
function sampleRows(results: RowResult[]): string[][] {
  return results.flatMap((r) =>
    r.samples.map((s, i) => [
      r.row.name,
      r.keepAlive ? 'keep-alive' : 'new conn',
      String(i + 1),
      s.load ? String(s.load.requests) : '-',
      s.load ? `${s.load.failed} (${s.load.failures.connection}/${s.load.failures.reset}/${s.load.failures.timeout}/${s.load.failures.non2xx})` : '-',
      s.load ? `${millis(s.load.latency.p50)} / ${millis(s.load.latency.p99)} / ${millis(s.load.latency.max)}` : '-',
      seconds(s.wallMs),
      s.timings ? `${seconds(s.timings['pull-ms'])} / ${seconds(s.timings['healthy-ms'])} / ${seconds(s.timings['migrate-ms'])}` : '-',
      seconds(overhead(s)),
      seconds(oursPerBatch(s)),
      phasesText(s.timings),
      s.sshPerHost.join('/') || '-',
      s.ok ? 'ok' : `FAILED: ${oneLine(s.error ?? s.note ?? '', 160).replace(/\|/g, '\\|')}`,
    ]),
  );
}

/** Where our rows' failed requests happened, so the cause can be looked for. */
function firstFailures(results: RowResult[]): string {
  const lines: string[] = [];
  for (const r of results.filter((x) => x.row.ours))
    r.samples.forEach((s, i) => {
      if (!s.load?.failed) return;
      const stale = s.load.staleKeepAlive ? `, ${s.load.staleKeepAlive} on a reused keep-alive connection` : '';
      lines.push(`- ${r.row.name} [${r.keepAlive ? 'keep-alive' : 'new conn'}] #${i + 1}: ${s.load.failed} failed${stale}; status codes ${JSON.stringify(s.load.statusCodes)}`);
      for (const f of s.load.firstFailures.slice(0, 3)) lines.push(`  - +${(f.atMs / 1000).toFixed(2)}s ${f.target} ${f.kind}: ${oneLine(f.detail, 160)}`);
    });
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// bundles, start-up and reports

async function startupTable(): Promise<string> {
  try {
    const rows = await measureStartup(ROOT, STARTUP_RUNS);
    const kib = (n: number) => (n ? `${(n / 1024).toFixed(0)} KiB` : '-');
    const short = (t: string) => (t.length > 60 ? `${t.slice(0, 57)}...` : t);
    const total = rows.reduce((n, r) => n + r.bytes, 0);
    return textTable(
      ['bundle', 'size', `first line (median of ${STARTUP_RUNS})`, 'the line'],
      [...rows.map((r) => [r.bundle, kib(r.bytes), millis(r.medianMs), short(r.firstLine).replace(/\|/g, '\\|')]), ['all per-action bundles', kib(total), '', '']],
    );
  } catch (err) {
    return `start-up measurement failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

async function reportsTable(): Promise<string> {
  try {
    // bench/reports.ts is the reports engineer's; loaded by a computed path so a checkout without it still runs
    const specifier = './reports.js';
    const mod = (await import(specifier)) as { benchReports: () => Promise<{ name: string; ms: number; summaryBytes: number }[]> | { name: string; ms: number; summaryBytes: number }[] };
    const rows = await mod.benchReports();
    return textTable(
      ['report', 'time', 'summary size'],
      rows.map((r) => [r.name, millis(r.ms), `${(r.summaryBytes / 1024).toFixed(1)} KiB`]),
    );
  } catch (err) {
    return `reports bench unavailable: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
}

// ---------------------------------------------------------------------------------------------

function machineText(info: MachineInfo): string {
  return [
    `- date: ${info.date}`,
    `- machine: ${info.nproc} CPUs (${info.cpu}), ${info.memory} memory, kernel ${info.kernel}`,
    `- versions: ${Object.entries(info.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  ].join('\n');
}

async function main(): Promise<number> {
  const t0 = Date.now();
  log('sandbox: ensuring it is up');
  state = await upSandbox();
  const info = await machineInfo(state);
  log(`load: ${RATE} req/s over ${state.hosts.length} hosts; repeats: ${REPEAT} with keep-alive, ${REPEAT_NEW_CONNECTIONS} with new connections`);

  const results: RowResult[] = [];
  const passes = [
    { keepAlive: true, repeat: REPEAT },
    { keepAlive: false, repeat: REPEAT_NEW_CONNECTIONS },
  ].filter((p) => p.repeat > 0);
  for (const pass of passes) for (const row of ROWS) results.push(await runRow(row, pass.keepAlive, pass.repeat));
  try {
    await reset();
  } catch (err) {
    log(`final reset failed: ${err instanceof Error ? err.message : String(err)}`);
  }

  log('bundles and start-up');
  const startup = await startupTable();
  log('reports');
  const reports = await reportsTable();

  const table = textTable(HEADER, results.map(rowCells));
  const totalMs = Date.now() - t0;
  const failing = results.filter((r) => !verdict(r).pass);
  const ourFailing = failing.filter((r) => r.row.ours);

  const text = [
    `## Deploys under load (${RATE} req/s through nginx on ${state.hosts.length} hosts; load from ${MARGIN_MS} ms before to ${MARGIN_MS} ms after each change)`,
    '',
    table,
    '',
    'failed = failed requests per run; latencies of the successful requests in the change window (p50, p99: median over runs; max: over all runs);',
    'overhead = wall time of the action run - (pull + boot-to-healthy + migrate) from its `timings` output;',
    'ours per batch = (wall - pull - migrate - boot - healthy - one drain when something switched) / batches: the time left once the',
    'physical limit is taken away (boot = compose starting the new web containers, slowest host per batch; the reload counts as ours);',
    'ssh conns per host = sshd accepted connections during the run (each distinct value seen);',
    'stale keep-alive retried = requests sent on a reused keep-alive connection that nginx closed at that instant (a reload',
    'closes idle client connections, nginx < 1.27.4) and re-sent once on a new connection, as browsers, curl and Go do;',
    'they are not in `failed`. With `retryStaleKeepAlive: false` they would be counted as resets.',
    '',
    `## Bundles and start-up (time to the first line, as scripts/measure-startup.mjs measures it; median of ${STARTUP_RUNS})`,
    '',
    startup,
    '',
    '## Reports',
    '',
    reports,
    '',
    `Whole bench: ${seconds(totalMs)}.`,
  ].join('\n');
  console.log(`\n${text}\n`);

  const markdown = [
    '# parking-ci bench results',
    '',
    'Written by `npm run bench` (bench/run.ts). Rerun to refresh; `BENCH_REPEAT`, `BENCH_REPEAT_NO_KEEPALIVE`, `BENCH_RATE` change the run.',
    '',
    machineText(info),
    '',
    text,
    '',
    '## Every run',
    '',
    textTable(['change', 'load', '#', 'requests', 'failed (conn/reset/timeout/non2xx)', 'p50 / p99 / max', 'wall', 'pull / healthy / migrate', 'overhead', 'ours per batch', 'phases', 'ssh', 'result'], sampleRows(results)),
    '',
    '## First failed requests of our runs (from the load report)',
    '',
    firstFailures(results) || 'none',
    '',
  ].join('\n');
  writeBenchResults(markdown);
  log(`wrote bench/RESULTS.md`);

  if (ourFailing.length) {
    console.log(`FAILED: ${ourFailing.map((r) => `${r.row.name} [${r.keepAlive ? 'keep-alive' : 'new conn'}]: ${verdict(r).text}`).join('; ')}`);
    return 1;
  }
  if (failing.length) console.log(`note: ${failing.map((r) => `${r.row.name}: ${verdict(r).text}`).join('; ')}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
