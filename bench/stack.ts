// `npm run bench:stack` (issue #12): the deploy rows on the sandbox's real stack (SANDBOX_STACK=django,
// SANDBOX_ID 2: Django + Gunicorn, Celery worker and beat, PostgreSQL 17 through PgBouncer, Redis 8,
// nginx 1.30) beside the naive deploy, under users' load (GET /lots/ and one POST /sessions/ in five,
// one request in four on a new connection) counted strictly: a reset, timeout or non-2xx is a failure,
// nothing is sent twice. After each run the database is asked what became of every acknowledged POST
// (its session once, its pricing task run once). Each row BENCH_STACK_REPEAT times (default 3). Writes
// its section of bench/RESULTS.md; exits non-zero when one of our rows failed a request or lost a task.
process.env.SANDBOX_ID ??= '2';
process.env.SANDBOX_STACK ??= 'django';

const { deploy, rollback, servedVersions } = await import('../testkit/e2e.js');
const { ensureSandbox, resetSandbox } = await import('../testkit/sandbox/state.js');
const { checkAcknowledged, checkTasksAndTicks, startUserLoad } = await import('../testkit/sandbox/stack-checks.js');
const { naiveDeploy } = await import('./naive.js');
const { writeSection } = await import('./results-file.js');
const { median, seconds, spread, spreadText, textTable } = await import('./stats.js');
import type { SandboxState } from '../testkit/sandbox/state.js';
import type { LoadReport } from '../testkit/sandbox/load.js';

const REPEAT = Math.max(1, Number(process.env.BENCH_STACK_REPEAT || 3));
const RATE = Math.max(1, Number(process.env.BENCH_RATE || 200));
const log = (line: string) => process.stderr.write(`[stack ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

interface Sample {
  ok: boolean;
  note?: string;
  wallMs: number;
  load: LoadReport;
  /** acknowledged POSTs without their session, and sessions whose task did not run exactly once */
  lost: number;
  tasksNotOnce: number;
}

interface Row {
  name: string;
  ours: boolean;
  /** before each sample, unmeasured */
  prepare?: () => Promise<void>;
  change: () => Promise<{ ok: boolean; note?: string }>;
}

let state: SandboxState;
let current = 'v1';
const next = () => (current === 'v2' ? 'v3' : 'v2');

/** Our three rows for one strategy; the first sample of the group starts from the seed stack (v1). */
const strategyRows = (strategy: 'rolling' | 'blue-green'): Row[] => {
  const inputs = { strategy };
  let fresh = true;
  return [
    {
      name: `${strategy} deploy, 3 hosts (migration included)`,
      ours: true,
      prepare: async () => {
        if (!fresh) return;
        fresh = false;
        await resetSandbox();
        current = 'v1';
      },
      change: async () => {
        const version = next();
        const r = await deploy(state, version, { inputs });
        const ok = r.exitCode === 0 && r.outputs.status === 'deployed';
        if (ok) current = version;
        return { ok, ...(ok ? {} : { note: `status=${r.outputs.status ?? '-'}` }) };
      },
    },
    {
      name: `${strategy}, failing health check: deploy + automatic rollback`,
      ours: true,
      change: async () => {
        const r = await deploy(state, 'bad-health', { inputs });
        const ok = r.exitCode === 1 && r.outputs.status === 'rolled-back' && (await servedVersions(state)).every((v) => v === current);
        return { ok, ...(ok ? {} : { note: `status=${r.outputs.status ?? '-'}` }) };
      },
    },
    {
      name: `${strategy}, manual rollback to the previous release`,
      ours: true,
      // a deploy to roll back from (unmeasured)
      prepare: async () => {
        const version = next();
        const r = await deploy(state, version, { inputs });
        if (r.exitCode !== 0) throw new Error(`prepare: deploy ${version} failed`);
        current = version;
      },
      change: async () => {
        const r = await rollback(state, 'previous', { inputs });
        const ok = r.exitCode === 0;
        if (ok) current = next();
        return { ok, ...(ok ? {} : { note: `exit ${r.exitCode}` }) };
      },
    },
  ];
};

const rows: Row[] = [
  ...strategyRows('rolling'),
  ...strategyRows('blue-green'),
  {
    name: 'naive deploy (ssh + compose pull, up -d, exec migrate)',
    ours: false,
    // each naive run from the seed stack (v1): it leaves nginx routing to containers it removed
    prepare: async () => {
      await resetSandbox();
      current = 'v1';
    },
    change: async () => {
      const r = await naiveDeploy(state, 'v2');
      return { ok: r.ok, ...(r.error ? { note: r.error.slice(0, 120) } : {}) };
    },
  },
];

async function measure(row: Row): Promise<Sample> {
  if (row.prepare) await row.prepare();
  const load = startUserLoad(state, RATE, 15 * 60_000);
  await new Promise((r) => setTimeout(r, 1000));
  const started = Date.now();
  let change: { ok: boolean; note?: string };
  try {
    change = await row.change();
  } catch (err) {
    change = { ok: false, note: (err as Error).message.slice(0, 160) };
  }
  const wallMs = Date.now() - started;
  await new Promise((r) => setTimeout(r, 1000));
  const report = await load.stop();
  const acked = await checkAcknowledged(state, report.acknowledged, row.ours ? 60_000 : 10_000).catch(() => undefined);
  return {
    ...change,
    wallMs,
    load: report,
    lost: acked ? acked.missing : NaN,
    tasksNotOnce: acked ? acked.tasksNotOnce : NaN,
  };
}

// each strategy's first row starts from a reset
state = await ensureSandbox();
const results: { row: Row; samples: Sample[] }[] = [];
for (const row of rows) {
  const samples: Sample[] = [];
  for (let i = 0; i < REPEAT; i++) {
    log(`${row.name} #${i + 1}`);
    const s = await measure(row);
    log(`  ${s.ok ? 'ok' : 'NOT OK'} ${seconds(s.wallMs)}: ${s.load.requests} requests, ${s.load.failed} failed, ${s.load.acknowledged.length} POSTs acknowledged, ${s.lost} lost, ${s.tasksNotOnce} tasks not run once${s.note ? `; ${s.note}` : ''}`);
    samples.push(s);
  }
  results.push({ row, samples });
}
const ticks = await checkTasksAndTicks(state);

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const table = textTable(
  ['Row (real stack, 3 hosts)', 'Wall (min/med/max)', 'Requests', 'Failed, strict', 'POSTs acked', 'Acked lost', 'Tasks not run once', 'Verdict'],
  results.map(({ row, samples }) => {
    const failed = samples.map((s) => s.load.failed);
    const pass = samples.every((s) => s.ok && s.load.failed === 0 && s.lost === 0 && s.tasksNotOnce === 0);
    return [
      row.name,
      spreadText(spread(samples.map((s) => s.wallMs)), seconds),
      String(sum(samples.map((s) => s.load.requests))),
      failed.join(' / '),
      String(sum(samples.map((s) => s.load.acknowledged.length))),
      samples.map((s) => String(s.lost)).join(' / '),
      samples.map((s) => String(s.tasksNotOnce)).join(' / '),
      row.ours ? (pass ? 'pass' : 'FAIL') : `baseline (${samples.filter((s) => s.load.failed > 0).length}/${samples.length} runs failed requests)`,
    ];
  }),
);
const failureLines = results.flatMap(({ row, samples }) =>
  samples.flatMap((s, i) => (s.load.failed ? [`- ${row.name} #${i + 1}: ${s.load.failed} failed; status codes ${JSON.stringify(s.load.statusCodes)}; first: ${s.load.firstFailures.slice(0, 2).map((f) => `+${(f.atMs / 1000).toFixed(1)}s ${f.kind} ${f.detail}`).join('; ')}`] : [])),
);
const lines = [
  '## The real stack (`npm run bench:stack`)',
  '',
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on the sandbox's real stack (testkit/sandbox/README.md: Django 5.2 on`,
  'Gunicorn, Celery worker and beat, PostgreSQL 17 through PgBouncer, Redis 8, nginx 1.30; three app hosts and a database host), each',
  `row ${REPEAT} times under ${RATE} req/s of users' load through every host's nginx: GET /lots/ and one POST /sessions/ in five, one`,
  'request in four on a new connection, counted strictly (a reset, timeout or non-2xx is a failure; nothing is sent twice). Failed',
  'requests are per run. "Acked lost" counts acknowledged POSTs whose session is not in PostgreSQL; "tasks not run once", sessions of',
  'acknowledged POSTs whose pricing task did not run exactly once (after waiting up to 60 s for the queue).',
  '',
  table,
  '',
  `Beat since the last naive row's reset (the database starts empty for each naive run): ${ticks.ticks} ticks, ${ticks.beatsAliveAtOnce} pairs of beat processes alive at once, ${ticks.duplicateTicks} intervals ticked twice`,
  `(a naive \`compose up -d\` starts beat on every host; a beat restarted within an interval ticks it again); ${ticks.sessionsRunTwice} sessions priced twice.`,
  ...(failureLines.length ? ['', 'Where requests failed:', '', ...failureLines] : []),
  '',
  `Median wall times: ${results.map(({ row, samples }) => `${row.name}: ${seconds(median(samples.map((s) => s.wallMs)))}`).join('; ')}.`,
];
writeSection('stack', lines);
console.log(lines.join('\n'));
const ourFailures = results.filter(({ row, samples }) => row.ours && !samples.every((s) => s.ok && s.load.failed === 0 && s.lost === 0 && s.tasksNotOnce === 0));
process.exit(ourFailures.length ? 1 : 0);
