// Deploy and rollback on the sandbox's real stack (issue #12): the Django parking app on Gunicorn,
// Celery worker and beat, PostgreSQL 17 through PgBouncer, Redis 8, nginx 1.30; three app hosts and a
// database host, through the runner protocol. Users' load (GET + 1 POST in 5, keep-alive and new
// connections) is counted strictly: a reset, timeout or non-2xx is a failure, nothing is sent twice.
// What was acknowledged is then looked up in PostgreSQL.
import { createHash, randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { ensureSandbox, hostExec, resetSandbox, sandboxUnavailableReason, type SandboxState } from '../../testkit/sandbox/state.js';
import { acceptedConnections, deploy, get, rollback, servedVersions, settled, watchVersions, workspaceFor } from '../../testkit/e2e.js';
import { checkTasksAndTicks, migrationRuns, schema, sql } from '../../testkit/sandbox/stack-checks.js';
import { reloadKeepAlive } from '../../testkit/sandbox/keepalive.js';
import { underUserLoad, usersServed } from './load-checks.js';

// the real stack is a sandbox of its own (10.233.0.0/24), beside the stand-in one
const saved = { id: process.env.SANDBOX_ID, stack: process.env.SANDBOX_STACK };
process.env.SANDBOX_ID = '2';
process.env.SANDBOX_STACK = 'django';
afterAll(() => {
  for (const [k, v] of [['SANDBOX_ID', saved.id], ['SANDBOX_STACK', saved.stack]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

jest.setTimeout(600_000);
const reason = process.env.PARKING_CI_SANDBOX_SKIP ?? (await sandboxUnavailableReason());
const run = reason && process.env.CI !== 'true' ? describe.skip : describe;
if (reason) console.log(`real-stack end-to-end tests ${process.env.CI === 'true' ? 'cannot skip in CI' : 'skipped'}: ${reason}`);

let state: SandboxState;
const services = async (h: SandboxState['hosts'][number]) =>
  (await hostExec(h, ['docker', 'ps', '--filter', 'label=com.docker.compose.project=parking', '--format', '{{.Label "com.docker.compose.service"}} {{.Image}}'])).trim().split('\n').sort();
const count = async (query: string) => Number((await sql(state, query))[0]?.[0]);
/** sessions v1 opened after `version`'s migration had run (v1 serving on the newer schema) */
const v1After = (version: string) =>
  count(`SELECT count(*) FROM parking_parkingsession s JOIN parking_price p ON p.session_id = s.id WHERE s.opened_by = 'v1' AND s.opened_at > (SELECT max(ran_at) FROM parking_migrate_run WHERE version = '${version}');`);

/** bad-health under users' load: never served, the run rolls back, v3 serves everywhere, no request failed */
async function badHealthRollsBack(options: { inputs?: Record<string, string> } = {}): Promise<void> {
  const watcher = watchVersions(state);
  const [r, load, assets] = await underUserLoad(state, () => deploy(state, 'bad-health', options));
  expect((await watcher.stop()).has('bad-health')).toBe(false);
  expect(r.exitCode).toBe(1);
  expect(r.outputs.status).toBe('rolled-back');
  await usersServed(state, load, assets);
  expect(await servedVersions(state)).toEqual(['v3', 'v3', 'v3']);
}

async function noTaskTwiceNoTwoBeats(): Promise<void> {
  const t = await checkTasksAndTicks(state);
  expect(t).toMatchObject({ sessionsRunTwice: 0, beatsAliveAtOnce: 0 });
  expect(t.ticks).toBeGreaterThan(3);
}

async function upAndReset(): Promise<void> {
  state = await ensureSandbox();
  expect(state.stack).toBe('django');
  await resetSandbox();
  await settled(state);
}

run('the real stack, rolling: Django + Celery + PostgreSQL/PgBouncer + Redis on 3 hosts', () => {
  beforeAll(upAndReset);

  test('a reload closes no kept-alive client connection: each idle one is answered once more, with Connection: close', async () => {
    // connections idle for 2.5 s at the reload: an old worker with keepalive_min_timeout 1s closes them
    // all at once (a client sending at that instant gets a reset); nginx.conf sets it to keepalive_timeout
    const h = state.hosts[0]!;
    const r = await reloadKeepAlive(() => hostExec(h, ['docker', 'exec', 'parking-nginx-1', 'nginx', '-s', 'reload']), { host: h.address, connections: 50, idleMs: 2500 });
    expect(r).toEqual({ connections: 50, closedAtReload: 0, answeredClose: 50, answeredKeepAlive: 0, failed: 0 });
  });

  test('v1 -> v2 -> v3 under users\' load: 0 failed requests, every acknowledged POST once and priced once, migrations once, v1 serves on v2\'s schema, every asset 200', async () => {
    const [r2, load2, assets2] = await underUserLoad(state, () => deploy(state, 'v2'));
    expect(r2.stderr + r2.stdout).not.toMatch(/::error/);
    expect(r2.exitCode).toBe(0);
    await usersServed(state, load2, assets2);
    expect(assets2.releases).toEqual(['v1', 'v2']);
    expect(await servedVersions(state)).toEqual(['v2', 'v2', 'v2']);
    const image = `${state.image}:v2`;
    expect(await services(state.hosts[0]!)).toEqual([`beat ${image}`, `nginx ${state.nginxImage}`, `web ${image}`, `worker ${image}`].sort());
    for (const h of state.hosts.slice(1)) expect(await services(h)).toEqual([`nginx ${state.nginxImage}`, `web ${image}`, `worker ${image}`].sort());
    // the other hosts kept serving v1, writes included, after v2's migration had changed the schema
    expect(await v1After('v2')).toBeGreaterThan(0);
    // the backfill: every session opened before v2's migration has its zone
    expect(await count("SELECT count(*) FROM parking_parkingsession WHERE zone IS NULL AND opened_at < (SELECT max(ran_at) FROM parking_migrate_run WHERE version = 'v2');")).toBe(0);

    const [r3, load3, assets3] = await underUserLoad(state, () => deploy(state, 'v3'));
    expect(r3.exitCode).toBe(0);
    await usersServed(state, load3, assets3);
    expect(await servedVersions(state)).toEqual(['v3', 'v3', 'v3']);
    // CREATE INDEX CONCURRENTLY finished and left a valid index
    expect(await count("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'session_opened_idx' AND i.indisvalid;")).toBe(1);
    expect(await migrationRuns(state)).toEqual({ runs: ['v1', 'v2', 'v3'], applied: ['0001_initial', '0002_session_zone', '0003_session_opened_idx'], duplicates: 0 });
    expect(r3.summary).toMatch(/Migration.*ran once/);
  });

  test('a release failing its health check: the fleet stays on v3, status rolled-back, 0 failed requests', () => badHealthRollsBack());

  test('a migration failing half way: PostgreSQL leaves the schema exactly as it was, nothing switched, 0 failed requests', async () => {
    const before = await schema(state);
    const [r, load, assets] = await underUserLoad(state, () => deploy(state, 'bad-migrate'));
    expect(r.exitCode).toBe(1);
    expect(r.outputs.status).toBe('failed');
    await usersServed(state, load, assets);
    expect(await schema(state)).toEqual(before);
    expect((await migrationRuns(state)).runs.at(-1)).toBe('bad-migrate');
    expect(await servedVersions(state)).toEqual(['v3', 'v3', 'v3']);
  });

  test('rollback to v1 after v3: v1 serves on the newer schema, its POSTs acknowledged and priced, 0 failed requests', async () => {
    const [r, load, assets] = await underUserLoad(state, () => rollback(state, 'v1'));
    expect(r.exitCode).toBe(0);
    await usersServed(state, load, assets);
    expect(await servedVersions(state)).toEqual(['v1', 'v1', 'v1']);
    expect(await v1After('v3')).toBeGreaterThan(0);
    // every deploy ran its migration once (bad-health's applied nothing new); the rollback ran none
    expect((await migrationRuns(state)).runs).toEqual(['v1', 'v2', 'v3', 'bad-health', 'bad-migrate']);
  });

  test('through all of it: no task ran twice, never two beats alive at once', noTaskTwiceNoTwoBeats);
});

run('the real stack, blue-green: Django + Celery + PostgreSQL/PgBouncer + Redis on 3 hosts', () => {
  beforeAll(upAndReset);
  const blueGreen = { inputs: { strategy: 'blue-green' } };

  test('v1 -> v2 -> v3 blue-green under users\' load: 0 failed requests, every acknowledged POST once and priced once, migrations once, every asset 200', async () => {
    const [r2, load2, assets2] = await underUserLoad(state, () => deploy(state, 'v2', blueGreen));
    expect(r2.stderr + r2.stdout).not.toMatch(/::error/);
    expect(r2.exitCode).toBe(0);
    await usersServed(state, load2, assets2);
    expect(assets2.releases).toEqual(['v1', 'v2']);
    expect(await servedVersions(state)).toEqual(['v2', 'v2', 'v2']);
    // v1 served, writes included, on v2's schema while the colors switched host by host
    expect(await v1After('v2')).toBeGreaterThan(0);

    const [r3, load3, assets3] = await underUserLoad(state, () => deploy(state, 'v3', blueGreen));
    expect(r3.exitCode).toBe(0);
    await usersServed(state, load3, assets3);
    expect(await servedVersions(state)).toEqual(['v3', 'v3', 'v3']);
    expect(await migrationRuns(state)).toEqual({ runs: ['v1', 'v2', 'v3'], applied: ['0001_initial', '0002_session_zone', '0003_session_opened_idx'], duplicates: 0 });
    // one web container per host serves: the color that took over; beat only on host 1
    for (const [i, h] of state.hosts.entries()) {
      const web = (await services(h)).filter((s) => s.startsWith('web'));
      expect(web).toEqual([expect.stringMatching(new RegExp(`^web(-(blue|green))? ${state.image}:v3$`))]);
      expect((await services(h)).some((s) => s.startsWith('beat '))).toBe(i === 0);
    }
  });

  test('a release failing its health check, blue-green: the fleet stays on v3, status rolled-back, 0 failed requests', () => badHealthRollsBack(blueGreen));

  test('rollback to the previous release, blue-green: v2 serves on v3\'s schema, 0 failed requests', async () => {
    const [r, load, assets] = await underUserLoad(state, () => rollback(state, 'previous', blueGreen));
    expect(r.exitCode).toBe(0);
    await usersServed(state, load, assets);
    expect(await servedVersions(state)).toEqual(['v2', 'v2', 'v2']);
  });

  test('through all of it: no task ran twice, never two beats alive at once', noTaskTwiceNoTwoBeats);
});

// issue #14 on the real stack: each release's clear settings and secrets reach the app through the
// release's own environment file, and a rollback brings the old release's values back
run('the real stack, the release environment: settings and secrets per release', () => {
  beforeAll(async () => {
    await upAndReset();
    // what a user does to hand the two secrets to parking-ci: take them out of the compose file (the
    // preflight refuses a name the compose file sets itself, which would win over the release's file);
    // the running v1 containers keep what they started with
    const file = `${state.appDir}/docker-compose.yml`;
    for (const h of state.hosts) await hostExec(h, ['sh', '-c', 'sed -e "/^ *SECRET_KEY: /d" -e "/^ *DATABASE_PASSWORD: /d" "$0" > "$0.tmp" && cat "$0.tmp" > "$0" && rm -f "$0.tmp"', file]);
  });
  const secret2 = `sk-v2-${randomUUID()}`;
  const secret3 = `sk-v3-${randomUUID()}`;
  const withEnv = (greeting: string) => (y: string) =>
    y.replace('    keep-releases: 5\n', `    keep-releases: 5\n    env:\n      clear:\n        PARKING_GREETING: "${greeting}"\n      secret: [SECRET_KEY, DATABASE_PASSWORD]\n`);
  const secretsInput = (key: string) => ({ secrets: JSON.stringify({ SECRET_KEY: key, DATABASE_PASSWORD: state.database!.password, UNLISTED: 'not used' }) });
  const configs = () => Promise.all(state.hosts.map(async (h) => JSON.parse((await get(`http://${h.address}/config/`)).body) as { version: string; greeting: string; secret_key_sha256: string }));
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  /** every process's command line on every host, sampled while `fn` runs */
  async function watchingProcesses<T>(fn: () => Promise<T>): Promise<[T, string]> {
    let seen = '';
    let running = true;
    const loop = (async () => {
      while (running) {
        for (const h of state.hosts) seen += await hostExec(h, ['ps', '-eo', 'args']).catch(() => '');
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      return [await fn(), seen];
    } finally {
      running = false;
      await loop;
    }
  }
  /** what the run shows: its log (the runner consumes ::add-mask:: lines), summary and outputs */
  const visible = (r: { everything: string; summary: string; outputs: Record<string, string> }) =>
    r.everything.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n') + r.summary + JSON.stringify(r.outputs);

  test('v2 with a greeting and SECRET_KEY: every host\'s app sees them; no secret byte in logs, outputs, summary or any process\'s command line; the file is 0600', async () => {
    const [[r, load, assets], ps] = await watchingProcesses(() => underUserLoad(state, () => deploy(state, 'v2', { edit: withEnv('hello from v2'), inputs: secretsInput(secret2) })));
    expect(r.exitCode).toBe(0);
    await usersServed(state, load, assets);
    expect(await configs()).toEqual(state.hosts.map(() => ({ version: 'v2', greeting: 'hello from v2', secret_key_sha256: sha(secret2) })));
    expect(ps).toContain('gunicorn');
    // masked before anything was logged
    expect(r.everything.indexOf(`::add-mask::${secret2}`)).toBeGreaterThanOrEqual(0);
    expect(r.everything.indexOf(`::add-mask::${secret2}`)).toBeLessThan(r.everything.indexOf('::group::'));
    for (const text of [visible(r), ps]) {
      expect(text).not.toContain(secret2);
      expect(text).not.toContain(state.database!.password);
    }
    for (const h of state.hosts) {
      // the secret is in the release's environment file and nowhere else under the app's directory
      const files = (await hostExec(h, ['grep', '-rlF', secret2, state.appDir]).catch(() => '')).trim().split('\n');
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/\/\.parking-ci\/env\//);
      expect((await hostExec(h, ['stat', '-c', '%a %U', files[0]!])).trim()).toBe('600 deployer');
      const history = (await hostExec(h, ['cat', `${state.appDir}/.parking-ci/releases.jsonl`])).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(history.at(-1)).toMatchObject({ version: 'v2', status: 'deployed' });
      expect(JSON.stringify(history)).not.toContain(secret2);
    }
  });

  test('v3 with new values, then a rollback: the previous release starts with its own greeting and secret on every host, 0 failed requests', async () => {
    const r3 = await deploy(state, 'v3', { edit: withEnv('hello from v3'), inputs: secretsInput(secret3) });
    expect(r3.exitCode).toBe(0);
    expect(await configs()).toEqual(state.hosts.map(() => ({ version: 'v3', greeting: 'hello from v3', secret_key_sha256: sha(secret3) })));
    const [r, load, assets] = await underUserLoad(state, () => rollback(state, 'previous', { workspace: workspaceFor(state, withEnv('hello from v3')), inputs: secretsInput(secret3) }));
    expect(r.exitCode).toBe(0);
    await usersServed(state, load, assets);
    expect(await configs()).toEqual(state.hosts.map(() => ({ version: 'v2', greeting: 'hello from v2', secret_key_sha256: sha(secret2) })));
    expect(visible(r)).not.toContain(secret3);
  });

  test('a listed secret missing from the input fails before any connection, naming it', async () => {
    const before = acceptedConnections(state);
    const r = await deploy(state, 'v3', { edit: withEnv('x'), inputs: { secrets: JSON.stringify({ SECRET_KEY: 'only this one' }) } });
    expect(r.exitCode).toBe(1);
    expect(r.annotations.find((a) => a.level === 'error')?.message).toMatch(/DATABASE_PASSWORD/);
    expect(acceptedConnections(state)).toEqual(before);
    expect((await configs()).map((c) => c.version)).toEqual(['v2', 'v2', 'v2']);
  });
});
