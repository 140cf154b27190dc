// Named cases of the fault model: the two defects of issue 13, every counterexample the generator
// found, and the stories each strategy must tell (on the same in-memory fleet as the property test).
import { currentRelease, parseReleases } from '../../src/commands/releases.js';
import { parseConfig } from '../../src/config/load.js';
import { runDeployment } from '../../src/deploy/engine.js';
import { plan } from '../../src/deploy/plan.js';
import { DryRunExecutor } from '../../src/remote/dry-run.js';
import type { Executor } from '../../src/remote/executor.js';
import { runScenario, violations, type Scenario } from '../../testkit/fault-model.js';

const base: Scenario = { hosts: 3, strategy: 'rolling', batchSize: 1, maxFailedHosts: 0, kind: 'deploy', history: ['v1'], unhealthy: [], migrate: true, faults: [] };
const served = (o: Awaited<ReturnType<typeof runScenario>>) => o.fleet.hosts.map((h) => h.routed(8000).map((c) => c.image.split(':').at(-1)).join('+'));
const current = (o: Awaited<ReturnType<typeof runScenario>>) => o.fleet.hosts.map((h) => currentRelease(parseReleases(h.files.get(o.fleet.releasesPath) ?? ''))?.version);

describe('regressions of issue 13', () => {
  test('lock race: a lock failing at once while another host is still taking its lock leaves no lock behind (main step alone, no post step)', async () => {
    const slowFirstLock = (inner: Executor): Executor => ({
      ...inner,
      run: async (host, script, o) => {
        if (o.label !== 'take the deploy lock') return inner.run(host, script, o);
        if (host.id === '10.0.0.12') return { code: 255, stdout: '', stderr: 'ssh: connection lost' };
        await new Promise((r) => setTimeout(r, 50));
        return inner.run(host, script, o);
      },
    });
    const o = await runScenario(base, { wrap: slowFirstLock, post: false });
    expect(o.result?.status).toBe('failed');
    expect(o.fleet.hosts.map((h) => o.fleet.isLocked(h))).toEqual([false, false, false]);
  });

  test('history after a kill: a run killed after host 1 switched leaves host 1 serving v3 and its history naming v3 once the post step ran', async () => {
    // host 2's first step of its batch (listing its containers) never returns: the run is killed there
    const o = await runScenario({ ...base, faults: [{ host: 1, step: 6, kind: 'hang' }] });
    expect(o.killed).toBe(true);
    expect(served(o)).toEqual(['v3', 'v1', 'v1']);
    expect(current(o)).toEqual(['v3', 'v1', 'v1']);
    const line = parseReleases(o.fleet.hosts[0]!.files.get(o.fleet.releasesPath)!).at(-1);
    expect(line).toMatchObject({ version: 'v3', status: 'deployed', action: 'reconcile' });
    expect(violations(base, o)).toEqual([]);
  });
});

describe('cases found while building the fault model', () => {
  test('every host failing within max-failed-hosts is a failed run, not "deployed"', async () => {
    const s: Scenario = { ...base, hosts: 1, maxFailedHosts: 1, unhealthy: [0] };
    const o = await runScenario(s);
    expect(o.result?.status).toBe('failed');
    expect(violations(s, o)).toEqual([]);
  });

  test('killed during the nginx switch: the post step routes to one release, the one the history names', async () => {
    const s: Scenario = { ...base, hosts: 1, migrate: false, faults: [{ host: 0, step: 7, kind: 'hang' }] };
    const o = await runScenario(s);
    expect(o.killed).toBe(true);
    expect(violations(s, o)).toEqual([]);
    expect(served(o)[0]!.split('+')).toHaveLength(1);
  });

  test('a connection dropped after the nginx switch ran: the host is put back and reported failed, the others roll back', async () => {
    const s: Scenario = { ...base, faults: [{ host: 0, step: 8, kind: 'drop' }] };
    const o = await runScenario(s);
    expect(o.result?.status).toBe('rolled-back');
    expect(served(o)).toEqual(['v1', 'v1', 'v1']);
    expect(violations(s, o)).toEqual([]);
  });
});

describe('the stories of the strategies', () => {
  test('rolling v1 -> v3: every host serves v3, migrated once, history and outputs agree', async () => {
    const o = await runScenario(base);
    expect(o.result).toMatchObject({ status: 'deployed', version: 'v3', previousVersion: 'v1' });
    expect(o.result!.hosts.map((h) => h.status)).toEqual(['deployed', 'deployed', 'deployed']);
    expect(served(o)).toEqual(['v3', 'v3', 'v3']);
    expect(o.fleet.migrations).toBe(1);
    expect(violations(base, o)).toEqual([]);
  });

  test('an unhealthy host 2 with max-failed-hosts 0: host 1 goes back, host 3 is skipped, status rolled-back', async () => {
    const s = { ...base, unhealthy: [1] };
    const o = await runScenario(s);
    expect(o.result!.hosts.map((h) => h.status)).toEqual(['rolled-back', 'failed', 'skipped']);
    expect(served(o)).toEqual(['v1', 'v1', 'v1']);
    expect(violations(s, o)).toEqual([]);
  });

  test('a failed migration switches no host', async () => {
    const s = { ...base, badMigration: true };
    const o = await runScenario(s);
    expect(o.result).toMatchObject({ status: 'failed', migration: { ok: false } });
    expect(served(o)).toEqual(['v1', 'v1', 'v1']);
  });

  test('blue-green rollback: every host in one batch, the plan shows the same batches, no host pulls', async () => {
    const s: Scenario = { ...base, strategy: 'blue-green', kind: 'rollback', history: ['v1', 'v2'] };
    const o = await runScenario(s);
    expect(o.result).toMatchObject({ status: 'deployed', version: 'v1', previousVersion: 'v2' });
    expect(o.log.filter((l) => l.startsWith('batch '))).toEqual(['batch 1: 10.0.0.11, 10.0.0.12, 10.0.0.13']);
    const config = parseConfig('app: parking\nimage: r/web\nenvironments:\n  production:\n    hosts: [10.0.0.11, 10.0.0.12, 10.0.0.13]\n    app-dir: /opt/parking\n    strategy: blue-green\n', 'c.yml');
    expect(plan(config, config.environments.production!, { kind: 'rollback', version: 'previous', strategy: 'blue-green' }).batches.map((b) => b.length)).toEqual([3]);
    expect(o.fleet.hosts.map((h) => h.pulls)).toEqual([0, 0, 0]);
    expect(violations(s, o)).toEqual([]);
  });

  test('a dry run walks the same path with canned facts: the plan and every remote command are printed, nothing runs', async () => {
    const config = parseConfig('app: parking\nimage: r/web\nenvironments:\n  production:\n    hosts: [10.0.0.11, 10.0.0.12]\n    app-dir: /opt/parking\n    services: [web, worker]\n    migrate: {command: "python manage.py migrate"}\n', 'c.yml');
    const printed: string[] = [];
    const log = { info: (l: string) => void printed.push(l), warning: (l: string) => void printed.push(l), group: <T>(_t: string, fn: () => Promise<T>) => fn() };
    const identity = { actor: 'octocat', runUrl: '', gitSha: '', owner: 'dry' };
    const r = await runDeployment({ kind: 'deploy', config, env: config.environments.production!, strategy: 'rolling', version: 'v2', identity, executor: new DryRunExecutor((t) => printed.push(t)), log, sleep: async () => undefined });
    expect(r.status).toBe('deployed');
    const text = printed.join('\n');
    expect(text).toContain('batch 1: 10.0.0.11\nbatch 2: 10.0.0.12');
    expect(text).toContain('migrations: python manage.py migrate on 10.0.0.11, before any host switches');
    for (const step of ['take the deploy lock', 'pull r/web:v2', 'migrate', 'start 1 new web container(s)', 'health check', 'nginx: switch to the new containers', 'replace workers and singletons', 'record the release', 'release the deploy lock']) expect(text).toContain(`[dry-run] 10.0.0.11: ${step}`);
    expect(text).toContain("sh -c 'python manage.py migrate'");
  });
});

describe('env and hooks (issue 14)', () => {
  const withEnv: Scenario = { ...base, env: true, hooks: true };
  const envFile = (o: Awaited<ReturnType<typeof runScenario>>) => o.fleet.hosts.map((h) => h.routed(8000).map((c) => c.envFile?.split('/').at(-1)?.split('-')[0]).join('+'));

  test('a deploy: every host serves v3 with the v3 env file, the history records its hash, the hooks ran once each in order', async () => {
    const o = await runScenario(withEnv);
    expect(o.result?.status).toBe('deployed');
    expect(envFile(o)).toEqual(['v3', 'v3', 'v3']);
    const line = parseReleases(o.fleet.hosts[2]!.files.get(o.fleet.releasesPath)!).at(-1)!;
    expect(line['env-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(o.fleet.events.filter((e) => e.what === 'hook').map((e) => e.hook)).toEqual(['pre-deploy', 'pre-migrate', 'post-deploy']);
    expect(o.result?.hooks?.map((h) => [h.name, h.ok])).toEqual([['pre-deploy', true], ['pre-migrate', true], ['post-deploy', true]]);
    expect(violations(withEnv, o)).toEqual([]);
  });

  test('a failing pre-migrate hook: no migration, nothing switched, every host on v1 with the v1 env file', async () => {
    const s = { ...withEnv, failingHook: 'pre-migrate' as const };
    const o = await runScenario(s);
    expect(o.result?.status).toBe('failed');
    expect(o.result?.error).toMatch(/pre-migrate hook .* failed on 10\.0\.0\.11; no host was switched/);
    expect(o.fleet.migrations).toBe(0);
    expect(served(o)).toEqual(['v1', 'v1', 'v1']);
    expect(envFile(o)).toEqual(['v1', 'v1', 'v1']);
    expect(violations(s, o)).toEqual([]);
  });

  test('a failing post-deploy hook is a warning: the deploy stands', async () => {
    const o = await runScenario({ ...withEnv, failingHook: 'post-deploy' });
    expect(o.result?.status).toBe('deployed');
    expect(o.result?.hooks?.at(-1)).toMatchObject({ name: 'post-deploy', ok: false });
    expect(o.log.some((l) => l.startsWith('warning: post-deploy hook failed'))).toBe(true);
  });

  test('a rollback starts v1 with the v1 env file on every host (both strategies), then the post-rollback hook', async () => {
    for (const strategy of ['rolling', 'blue-green'] as const) {
      const s: Scenario = { ...withEnv, strategy, kind: 'rollback', history: ['v1', 'v2'] };
      const o = await runScenario(s);
      expect(o.result?.status).toBe('deployed');
      expect(envFile(o)).toEqual(['v1', 'v1', 'v1']);
      expect(o.fleet.events.filter((e) => e.what === 'hook').map((e) => e.hook)).toEqual(['pre-deploy', 'post-rollback']);
      expect(violations(s, o)).toEqual([]);
    }
  });
});
