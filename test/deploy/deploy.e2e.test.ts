// Deploy and rollback end-to-end on the sandbox: real sshd, Docker + Compose v2, nginx and registry,
// three hosts, through the runner protocol. Each test names the guarantee of spec §4/§5 it proves.
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { runPost } from '../../testkit/run-action.js';
import { hostExec, loadSandbox, resetSandbox, sandboxUnavailableReason, ensureSandbox, type SandboxState } from '../../testkit/sandbox/state.js';
import { acceptedConnections, deploy, rollback, servedVersions, settled, watchVersions } from '../../testkit/e2e.js';
import { noFailures, underLoad } from './load-checks.js';

jest.setTimeout(300_000);
const reason = process.env.PARKING_CI_SANDBOX_SKIP ?? (await sandboxUnavailableReason());
const run = reason && process.env.CI !== 'true' ? describe.skip : describe;
if (reason) console.log(`deploy end-to-end tests ${process.env.CI === 'true' ? 'cannot skip in CI' : 'skipped'}: ${reason}`);

let state: SandboxState;
const migrations = async () =>
  (await Promise.all(state.hosts.map((h) => hostExec(h, ['sh', '-c', 'docker run --rm -v parking_data:/data --entrypoint /bin/cat ' + state.image + ':v1 /data/migrations.log 2>/dev/null || true'])))).join('').split('\n').filter(Boolean);
const services = async (h: SandboxState['hosts'][number]) =>
  (await hostExec(h, ['docker', 'ps', '--filter', 'label=com.docker.compose.project=parking', '--format', '{{.Label "com.docker.compose.service"}} {{.Image}}'])).trim().split('\n').sort();
const history = async (h: SandboxState['hosts'][number]) =>
  (await hostExec(h, ['sh', '-c', `cat ${state.appDir}/.parking-ci/releases.jsonl 2>/dev/null || true`])).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);
const lockExists = async () => (await Promise.all(state.hosts.map((h) => hostExec(h, ['sh', '-c', `test -d ${state.appDir}/.parking-ci/lock && echo yes || echo no`])))).map((s) => s.trim());

run('deploy (rolling) on 3 sandbox hosts', () => {
  beforeAll(async () => {
    state = (await loadSandbox()) ?? (await ensureSandbox());
    await resetSandbox();
    await settled(state);
  });

  test('v1 -> v2: every host serves v2, worker v2, beat on host 1 only, one migration, history, outputs, 0 failed requests, one SSH connection per host', async () => {
    const before = acceptedConnections(state);
    const [r, load] = await underLoad(state, () => deploy(state, 'v2'));
    expect(r.stderr + r.stdout).not.toMatch(/::error/);
    expect(r.exitCode).toBe(0);
    await noFailures(state, load);
    expect(await servedVersions(state)).toEqual(['v2', 'v2', 'v2']);
    const image = `${state.image}:v2`;
    expect(await services(state.hosts[0]!)).toEqual([`beat ${image}`, `nginx ${state.registry.address}/parking/nginx:1`, `web ${image}`, `worker ${image}`].sort());
    for (const h of state.hosts.slice(1)) expect(await services(h)).toEqual([`nginx ${state.registry.address}/parking/nginx:1`, `web ${image}`, `worker ${image}`].sort());
    expect((await migrations()).filter((l) => l.startsWith('v2 '))).toHaveLength(1);
    for (const h of state.hosts) expect((await history(h)).at(-1)).toMatchObject({ version: 'v2', status: 'deployed', image, actor: 'octocat' });
    expect(r.outputs).toMatchObject({ status: 'deployed', version: 'v2', 'previous-version': 'v1' });
    expect(JSON.parse(r.outputs.hosts!)).toEqual(state.hosts.map((h) => expect.objectContaining({ host: h.address, status: 'deployed', from: 'v1', to: 'v2' })));
    expect(r.summary).toMatch(/Deployed v2 on production/);
    expect(r.summary).toMatch(/Migration.*ran once/);
    expect(acceptedConnections(state).map((n, i) => n - before[i]!)).toEqual([1, 1, 1]);
    expect(await lockExists()).toEqual(['no', 'no', 'no']);
  });

  test('failing health check: no host ever serves it, status=rolled-back, summary shows health responses and logs, 0 failed requests', async () => {
    const watcher = watchVersions(state);
    const [r, load] = await underLoad(state, () => deploy(state, 'bad-health'));
    const seen = await watcher.stop();
    expect(r.exitCode).toBe(1);
    await noFailures(state, load);
    expect(seen.has('bad-health')).toBe(false);
    expect(r.outputs.status).toBe('rolled-back');
    expect(await servedVersions(state)).toEqual(['v2', 'v2', 'v2']);
    expect(r.summary).toMatch(/Health check of bad-health on/);
    expect(r.summary).toMatch(/500/);
    expect(r.summary).toMatch(/Container logs/);
    expect(r.annotations.filter((a) => a.level === 'error')).toHaveLength(1);
    expect(await lockExists()).toEqual(['no', 'no', 'no']);
  });

  test('a host failing after others switched: the switched hosts go back (max-failed-hosts 0)', async () => {
    // host 2's web refuses to become healthy (fault injected through its data volume)
    await hostExec(state.hosts[1]!, ['sh', '-c', 'docker run --rm -v parking_data:/data --entrypoint /bin/touch ' + state.image + ':v1 /data/fail-health']);
    try {
      const watcher = watchVersions(state);
      const [r, load] = await underLoad(state, () => deploy(state, 'v3'));
      await watcher.stop();
      expect(r.exitCode).toBe(1);
      await noFailures(state, load);
      expect(r.outputs.status).toBe('rolled-back');
      const hosts = JSON.parse(r.outputs.hosts!) as { host: string; status: string }[];
      expect(hosts.map((h) => h.status)).toEqual(['rolled-back', 'failed', 'skipped']);
      expect(await servedVersions(state)).toEqual(['v2', 'v2', 'v2']);
      expect((await history(state.hosts[0]!)).at(-1)).toMatchObject({ version: 'v3', status: 'rolled-back' });
    } finally {
      await hostExec(state.hosts[1]!, ['sh', '-c', 'docker run --rm -v parking_data:/data --entrypoint /bin/rm ' + state.image + ':v1 -f /data/fail-health']);
    }
  });

  test('failing migration: exit non-zero, no host switched, lock released', async () => {
    const [r, load] = await underLoad(state, () => deploy(state, 'bad-migrate'));
    expect(r.exitCode).toBe(1);
    await noFailures(state, load);
    expect(r.outputs.status).toBe('failed');
    expect(r.summary).toMatch(/Migration.*failed/);
    expect(r.summary).toMatch(/simulated migration failure/);
    expect(await servedVersions(state)).toEqual(['v2', 'v2', 'v2']);
    expect(await lockExists()).toEqual(['no', 'no', 'no']);
  });

  test('rollback to previous and to a named version with the registry stopped, 0 failed requests; to: list prints the history', async () => {
    const { execFileSync } = await import('node:child_process');
    const registryPid = readFileSync(state.registry.pidFile ?? `${state.sandboxDir}/registry/registry.pid`, 'utf8').trim();
    execFileSync('kill', ['-STOP', registryPid]);
    try {
      const [back, load] = await underLoad(state, () => rollback(state, 'previous'));
      expect(back.exitCode).toBe(0);
      await noFailures(state, load);
      expect(back.outputs).toMatchObject({ status: 'deployed', version: 'v1', 'previous-version': 'v2' });
      expect(await servedVersions(state)).toEqual(['v1', 'v1', 'v1']);

      const [named, load2] = await underLoad(state, () => rollback(state, 'v2'));
      expect(named.exitCode).toBe(0);
      await noFailures(state, load2);
      expect(await servedVersions(state)).toEqual(['v2', 'v2', 'v2']);

      const list = await rollback(state, 'list');
      expect(list.exitCode).toBe(0);
      expect(list.summary).toContain(`Release history on ${state.hosts[0]!.address}`);
      expect(list.summary).toMatch(/<td>v2<\/td><td>deployed<\/td><td>rollback<\/td>/);

      const unknown = await rollback(state, 'v9');
      expect(unknown.exitCode).toBe(1);
      expect(unknown.stdout).toMatch(/version v9 is not in the release history of/);
    } finally {
      execFileSync('kill', ['-CONT', registryPid]);
    }
  });

  test('a second deploy while one holds the lock fails at once naming the holder; killing a run and its post step leave no lock and healthy hosts', async () => {
    const before = await servedVersions(state);
    let child: import('node:child_process').ChildProcess | undefined;
    const first = deploy(state, 'slow', { onStart: (c) => (child = c) });
    // wait until the first run holds the lock on every host
    for (let i = 0; i < 100 && !(await lockExists()).every((l) => l === 'yes'); i++) await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const second = await deploy(state, 'v3');
    expect(second.exitCode).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(second.stdout).toMatch(/another deploy holds the lock: octocat \(deploy of slow since /);

    await new Promise((r) => setTimeout(r, 3000)); // the first run is now starting `slow` on host 1
    child!.kill('SIGKILL');
    const killed = await first;
    const post = await runPost('deploy', killed);
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toMatch(/lock released/);
    expect(await lockExists()).toEqual(['no', 'no', 'no']);
    const versions = await servedVersions(state);
    versions.forEach((v, i) => expect([before[i], 'slow']).toContain(v));
  });

  test('a sha256 digest (what the build action outputs) deploys like a tag and is recorded as the version', async () => {
    const digests = await hostExec(state.hosts[0]!, ['sh', '-c', `docker pull -q ${state.image}:v3 >/dev/null && docker image inspect --format '{{join .RepoDigests " "}}' ${state.image}:v3`]);
    const digest = digests.split(/\s+/).find((d) => d.includes('@sha256:'))!.split('@')[1]!;
    const [r, load] = await underLoad(state, () => deploy(state, digest));
    expect(r.exitCode).toBe(0);
    await noFailures(state, load);
    expect(r.outputs).toMatchObject({ status: 'deployed', version: digest });
    expect(await servedVersions(state)).toEqual(['v3', 'v3', 'v3']);
    expect((await history(state.hosts[0]!)).at(-1)).toMatchObject({ version: digest, image: `${state.image}@${digest}`, digest, status: 'deployed' });
  });
});
