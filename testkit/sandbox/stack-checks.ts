// Checks of the real stack (SANDBOX_STACK=django) against its database and through every host's nginx:
// what a strict load acknowledged is in PostgreSQL exactly once, every task ran once, beat never
// ticked twice, migrations ran once, and every static asset a page referenced kept answering.
import type { SandboxState } from './state.js';
import { hostExec, httpGet } from './state.js';
import { startLoad, type LoadHandle } from './load.js';

const POSTGRES = 'parking-db-postgres-1';

function database(state: SandboxState): NonNullable<SandboxState['database']> {
  if (!state.database) throw new Error('this sandbox has no database host: bring it up with SANDBOX_STACK=django');
  return state.database;
}

/** Runs SQL (from stdin) in the app's database as postgres; rows as arrays of fields (tab-separated by psql). */
export async function sql(state: SandboxState, script: string): Promise<string[][]> {
  const db = database(state);
  const out = await hostExec({ name: db.host, pid: db.pid }, ['docker', 'exec', '-i', POSTGRES, 'psql', '-v', 'ON_ERROR_STOP=1', '-qAtX', '-F', '\t', '-U', 'postgres', '-d', db.name, '-f', '-'], { input: script });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface AckedCheck {
  acknowledged: number;
  /** acknowledged request ids without a session row */
  missing: number;
  /** sessions whose pricing task did not run exactly once (after waiting for the queue) */
  tasksNotOnce: number;
  /** sessions without their Price row */
  unpriced: number;
}

/** Each acknowledged POST is one session, priced by exactly one task run (waits up to waitMs for the workers). */
export async function checkAcknowledged(state: SandboxState, ids: string[], waitMs = 60_000): Promise<AckedCheck> {
  for (const id of ids) if (!UUID.test(id)) throw new Error(`not a request id: ${JSON.stringify(id)}`);
  const script = `CREATE TEMP TABLE acked (request_id uuid PRIMARY KEY);
COPY acked FROM STDIN;
${ids.join('\n')}${ids.length ? '\n' : ''}\\.
SELECT count(*) FILTER (WHERE s.id IS NULL),
       count(*) FILTER (WHERE s.id IS NOT NULL AND (SELECT count(*) FROM parking_taskrun t WHERE t.session_id = s.id) <> 1),
       count(*) FILTER (WHERE s.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM parking_price p WHERE p.session_id = s.id))
FROM acked a LEFT JOIN parking_parkingsession s ON s.request_id = a.request_id;
`;
  const until = Date.now() + waitMs;
  for (;;) {
    const [row] = await sql(state, script);
    const [missing, tasksNotOnce, unpriced] = (row ?? ['0', '0', '0']).map(Number) as [number, number, number];
    const result = { acknowledged: ids.length, missing, tasksNotOnce, unpriced };
    // a task may still be queued: wait while some session lacks its run, never when one ran twice
    if ((tasksNotOnce === 0 && unpriced === 0) || Date.now() > until) return result;
    const [twice] = await sql(state, 'SELECT count(*) FROM (SELECT session_id FROM parking_taskrun GROUP BY 1 HAVING count(*) > 1) d;');
    if (Number(twice?.[0]) > 0) return result;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Nothing priced twice in the whole database; beat: ticks recorded, ticks of one interval sent twice
 * (a beat restarted within an interval does that), and pairs of beat processes that were alive at once
 * (each ticked in an interval inside the other's span: more than the one interval a hand-over shares).
 */
export async function checkTasksAndTicks(state: SandboxState): Promise<{ sessionsRunTwice: number; ticks: number; duplicateTicks: number; beatsAliveAtOnce: number }> {
  const [row] = await sql(
    state,
    `WITH spans AS (SELECT beat, min(interval) AS first, max(interval) AS last FROM parking_ticklog GROUP BY beat)
     SELECT (SELECT count(*) FROM (SELECT session_id FROM parking_taskrun GROUP BY 1 HAVING count(*) > 1) d),
            (SELECT count(*) FROM parking_tick),
            (SELECT count(*) FROM parking_duplicatetick),
            (SELECT count(*) FROM spans a JOIN spans b ON a.beat < b.beat WHERE least(a.last, b.last) - greatest(a.first, b.first) >= 1);`,
  );
  const [sessionsRunTwice, ticks, duplicateTicks, beatsAliveAtOnce] = (row ?? []).map(Number) as [number, number, number, number];
  return { sessionsRunTwice, ticks, duplicateTicks, beatsAliveAtOnce };
}

/** Runs of the migrate command, per release, in order; and rows of django_migrations recorded more than once. */
export async function migrationRuns(state: SandboxState): Promise<{ runs: string[]; applied: string[]; duplicates: number }> {
  const runs = await sql(state, 'SELECT version FROM parking_migrate_run ORDER BY id;');
  const applied = await sql(state, "SELECT name FROM django_migrations WHERE app = 'parking' ORDER BY id;");
  const [dup] = await sql(state, 'SELECT count(*) FROM (SELECT app, name FROM django_migrations GROUP BY 1, 2 HAVING count(*) > 1) d;');
  return { runs: runs.map((r) => r[0]!), applied: applied.map((r) => r[0]!), duplicates: Number(dup?.[0]) };
}

/** The public schema: every column and index, one line each (to compare before and after a failed migration). */
export async function schema(state: SandboxState): Promise<string[]> {
  const cols = await sql(
    state,
    "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2;",
  );
  const idx = await sql(state, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1;");
  const tables = await sql(state, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1;");
  return [...tables.map((r) => `table ${r[0]}`), ...cols.map((r) => `column ${r.join(' ')}`), ...idx.map((r) => `index ${r.join(' ')}`)];
}

export interface AssetWatch {
  /** pages fetched, and the releases they came from */
  pages: number;
  releases: string[];
  /** distinct asset URLs seen in pages */
  assets: number;
  /** asset fetches, those that were not a 200, and the first 50 of them (url, host, status) */
  fetches: number;
  failed: number;
  failures: { url: string; host: string; status: number | string }[];
}

/**
 * Renders /page/ through every host's nginx again and again, and fetches every asset a page of that
 * host has referenced so far (an old release's assets after the switch, a new one's as soon as it
 * renders) from the same host, as a browser whose page came from it does. A missing asset is a
 * failure. (Hosts behind one load balancer would also need each release's assets on every host
 * before the first switches: the sandbox addresses each host directly.)
 */
export function watchAssets(state: SandboxState, everyMs = 300): { stop(): Promise<AssetWatch> } {
  const assets = new Map(state.hosts.map((h) => [h.name, new Set<string>()]));
  const releases = new Set<string>();
  const report: AssetWatch = { pages: 0, releases: [], assets: 0, fetches: 0, failed: 0, failures: [] };
  let running = true;
  const loop = (async () => {
    while (running) {
      await Promise.all(
        state.hosts.map(async (h) => {
          const seen = assets.get(h.name)!;
          try {
            const page = await httpGet(`http://${h.address}/page/`, 3000);
            if (page.status === 200) {
              report.pages++;
              const release = /release (\S+)</.exec(page.body)?.[1];
              if (release) releases.add(release);
              for (const m of page.body.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)) seen.add(m[1]!);
            }
          } catch {
            // the load generator counts failed requests
          }
          await Promise.all(
            [...seen].map(async (path) => {
              report.fetches++;
              const r = await httpGet(`http://${h.address}${path}`, 3000).catch((err: Error) => ({ status: err.message, body: '' }));
              if (r.status === 200) return;
              report.failed++;
              if (report.failures.length < 50) report.failures.push({ url: path, host: h.name, status: r.status });
            }),
          );
        }),
      );
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { ...report, releases: [...releases].sort(), assets: new Set([...assets.values()].flatMap((s) => [...s])).size };
    },
  };
}

/** What users do to the real stack: GET /lots/ and one POST /sessions/ in five, keep-alive and new connections, counted strictly. */
export function startUserLoad(state: SandboxState, rate: number, durationMs: number): LoadHandle {
  return startLoad({
    targets: state.hosts.map((h) => `http://${h.address}/lots/`),
    rate,
    durationMs,
    strict: true,
    postEvery: 5,
    postPath: '/sessions/',
    newConnectionEvery: 4,
  });
}
