// `npm run bench:scale` (issue #15): how a deploy's cost grows with the fleet. For each fleet size
// (BENCH_SCALE_HOSTS, default 3,10,20) a sandbox of that many hosts (SANDBOX_ID 7 unless
// BENCH_SCALE_SANDBOX_ID says otherwise, beside the default sandbox), rolling deploys at batch-size
// 1, 25% and 50%, each BENCH_SCALE_REPEAT times (default 3), without load: wall time, overhead,
// ours per batch, SSH connections per host, and the action's peak memory (node and its ssh children,
// summed) and CPU time. Writes its section of bench/RESULTS.md (between the scale markers).
import { readFileSync } from 'node:fs';
import { acceptedConnections, deploy, workspaceFor } from '../testkit/e2e.js';
import { ensureSandbox, loadSandbox, resetSandbox, SANDBOX_SCRIPT, type SandboxState } from '../testkit/sandbox/state.js';
import { watchTree, type TreeUsage } from './process-tree.js';
import { RESULTS_FILE, writeSection } from './results-file.js';
import { median, seconds, spread, spreadText, textTable } from './stats.js';
import { batchCount, configDrainMs, overheadMs, oursPerBatchMs, parseTimings } from './timings.js';
import { spawnSync } from 'node:child_process';

const list = (name: string, fallback: string) => (process.env[name] || fallback).split(',').map((s) => s.trim()).filter(Boolean);
const HOSTS = list('BENCH_SCALE_HOSTS', '3,10,20').map(Number);
const BATCHES = list('BENCH_SCALE_BATCHES', '1,25%,50%');
const REPEAT = Math.max(1, Number(process.env.BENCH_SCALE_REPEAT || 3));
const log = (line: string) => process.stderr.write(`[scale ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

interface Sample {
  ok: boolean;
  note?: string;
  wallMs: number;
  overheadMs: number;
  /** wall - pull - boot - healthy - migrate (the issue's overhead: compose starting the containers is theirs) */
  bootlessMs: number;
  perBatchMs: number;
  batches: number;
  sshPerHost: number[];
  usage: TreeUsage;
  phasesMs: Record<string, number>;
}

function sandbox(verb: 'up' | 'down', hosts: number): void {
  const r = spawnSync('bash', [SANDBOX_SCRIPT, verb], { env: { ...process.env, SANDBOX_HOSTS: String(hosts) }, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`sandbox ${verb} with ${hosts} hosts failed (exit ${r.status})`);
}

async function measure(state: SandboxState, version: string, batchSize: string): Promise<Sample> {
  const workspace = workspaceFor(state, (yaml) => yaml.replace(/^(\s*)batch-size:.*$/m, `$1batch-size: ${/^\d+$/.test(batchSize) ? batchSize : JSON.stringify(batchSize)}`));
  const before = acceptedConnections(state);
  let watch: ReturnType<typeof watchTree> | undefined;
  const started = Date.now();
  const r = await deploy(state, version, { workspace, timeoutMs: 15 * 60_000, inputs: { strategy: 'rolling' }, onStart: (child) => (watch = watchTree(child.pid!)) });
  const wallMs = Date.now() - started;
  const usage = watch!.stop();
  const t = parseTimings(r);
  const ok = r.exitCode === 0 && r.outputs.status === 'deployed';
  const after = acceptedConnections(state);
  return {
    ok,
    ...(ok ? {} : { note: `status=${r.outputs.status ?? '-'} exit ${r.exitCode}` }),
    wallMs,
    overheadMs: overheadMs(wallMs, t),
    bootlessMs: overheadMs(wallMs, t) - (t?.['boot-ms'] ?? NaN),
    perBatchMs: oursPerBatchMs(wallMs, t, configDrainMs(readFileSync(state.configFile, 'utf8'))),
    batches: t ? batchCount(t) : 0,
    sshPerHost: after.map((n, i) => n - before[i]!),
    usage,
    phasesMs: t?.['phases-ms'] ?? {},
  };
}

const rows: string[][] = [];
const phaseRows: string[][] = [];

/** The median of each phase over the runs (batches summed: "batches 3.1s (20)"), in the order they ran. */
function phasesText(runs: Record<string, number>[]): string {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  const batchNames = names.filter((n) => /^batch-\d+$/.test(n));
  const parts = names.filter((n) => !batchNames.includes(n) || n === batchNames[0]).map((n) =>
    batchNames.includes(n)
      ? `batches ${seconds(median(runs.map((r) => batchNames.reduce((sum, b) => sum + (r[b] ?? 0), 0))))} (${batchNames.length}, slowest ${seconds(median(runs.map((r) => Math.max(...batchNames.map((b) => r[b] ?? 0)))))})`
      : `${n} ${seconds(median(runs.map((r) => r[n] ?? 0)))}`,
  );
  return parts.join(', ');
}
let failed = false;
const started = Date.now();
process.env.SANDBOX_ID ??= process.env.BENCH_SCALE_SANDBOX_ID || '7';
for (const hosts of HOSTS) {
  if (loadSandbox()) sandbox('down', hosts);
  process.env.SANDBOX_HOSTS = String(hosts);
  log(`sandbox ${process.env.SANDBOX_ID}: up with ${hosts} hosts`);
  const t0 = Date.now();
  let state = await ensureSandbox();
  log(`up in ${seconds(Date.now() - t0)}`);
  await resetSandbox();
  state = loadSandbox()!;
  let version = 'v1';
  for (const batch of BATCHES) {
    const samples: Sample[] = [];
    for (let i = 0; i < REPEAT; i++) {
      version = version === 'v2' ? 'v3' : 'v2';
      const s = await measure(state, version, batch);
      samples.push(s);
      log(`${hosts} hosts, batch-size ${batch} #${i + 1}: ${s.ok ? 'ok' : `FAILED ${s.note}`} wall ${seconds(s.wallMs)}, ${s.batches} batches, ours/batch ${seconds(s.perBatchMs)}, ssh ${[...new Set(s.sshPerHost)].join('/')}, rss ${s.usage.peakRssMib.toFixed(0)} MiB, cpu ${s.usage.cpuSeconds.toFixed(2)} s`);
      if (!s.ok) failed = true;
    }
    const med = (f: (s: Sample) => number) => median(samples.map(f));
    const sp = (f: (s: Sample) => number, unit: (n: number) => string) => spreadText(spread(samples.map(f)), unit);
    rows.push([
      String(hosts),
      batch,
      String(samples.length),
      String(med((s) => s.batches)),
      sp((s) => s.wallMs, seconds),
      sp((s) => s.overheadMs, seconds),
      sp((s) => s.bootlessMs, seconds),
      sp((s) => s.perBatchMs, seconds),
      [...new Set(samples.flatMap((s) => s.sshPerHost))].join('/'),
      `${med((s) => s.usage.peakRssMib).toFixed(0)} MiB`,
      `${(med((s) => s.usage.peakRssMib) / hosts).toFixed(1)} MiB`,
      String(med((s) => s.usage.peakProcesses)),
      `${med((s) => s.usage.cpuSeconds).toFixed(2)} s`,
      `${((med((s) => s.usage.cpuSeconds) * 1000) / hosts).toFixed(0)} ms`,
      samples.every((s) => s.ok) ? 'ok' : `FAILED (${samples.filter((s) => !s.ok).length}/${samples.length})`,
    ]);
    phaseRows.push([String(hosts), batch, phasesText(samples.map((s) => s.phasesMs))]);
  }
  sandbox('down', hosts);
}

const table = textTable(['hosts', 'batch-size', 'runs', 'batches', 'wall min/med/max', 'overhead min/med/max', 'overhead without boot', 'ours per batch min/med/max', 'ssh conns per host', 'peak RSS (med)', 'RSS per host', 'peak processes', 'CPU (med)', 'CPU per host', 'result'], rows);
writeSection('scale', [
  '## Scale (rolling deploys, no load)',
  '',
  `Written by \`npm run bench:scale\` (bench/scale.ts); ${REPEAT} runs per row, each deploy v2 <-> v3 on a sandbox of that many hosts.`,
  '',
  table,
  '',
  textTable(['hosts', 'batch-size', 'phases (median of the runs)'], phaseRows),
  '',
  'peak RSS = the action\'s node process and its ssh children (the control masters and each step\'s client), summed, at the busiest',
  'sample (every 20 ms from /proc); CPU = user + system time of the node process and every process it started; ssh conns per host =',
  'sshd accepted connections per run (each distinct value seen). overhead and ours per batch as in the table above; overhead',
  'without boot = overhead - boot (compose starting the new web containers, the slowest host of each batch, summed).',
  '',
  `Whole scale bench: ${seconds(Date.now() - started)}.`,
]);
process.stdout.write(`${table}\n`);
log(`wrote the scale section of ${RESULTS_FILE}`);
process.exit(failed ? 1 : 0);
