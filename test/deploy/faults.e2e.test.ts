// Two real faults on the sandbox, under load (issue 13): the SSH connection to one host cut while
// that host switches (its sshd session killed), and one host's dockerd killed mid-deploy. Each run
// ends with every reachable host serving a healthy release its history names, no lock left, and a
// summary that says what happened to the lost host.
import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { runPost } from '../../testkit/run-action.js';
import { deploy, get, servedVersions, settled } from '../../testkit/e2e.js';
import { startLoad } from '../../testkit/sandbox/load.js';
import { noFailures } from './load-checks.js';
import { ensureSandbox, hostExec, loadSandbox, resetSandbox, sandboxUnavailableReason, type SandboxHost, type SandboxState } from '../../testkit/sandbox/state.js';

jest.setTimeout(400_000);
const reason = process.env.PARKING_CI_SANDBOX_SKIP ?? (await sandboxUnavailableReason());
const run = reason && process.env.CI !== 'true' ? describe.skip : describe;

let state: SandboxState;

const history = async (h: SandboxHost) =>
  (await hostExec(h, ['sh', '-c', `cat ${state.appDir}/.parking-ci/releases.jsonl 2>/dev/null || true`])).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);
const historyCurrent = async (h: SandboxHost) => (await history(h)).findLast((r) => r.status === 'deployed')?.version;
const locked = async (h: SandboxHost) => (await hostExec(h, ['sh', '-c', `test -d ${state.appDir}/.parking-ci/lock && echo yes || echo no`])).trim();
const servedBy = async (h: SandboxHost) => /parking web (\S+)/.exec((await get(`http://${h.address}/`, 2000)).body)?.[1];

/** Polls until `check` holds (or fails the test after `ms`). */
async function until(what: string, check: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The per-connection sshd processes of a host (children of its listening sshd), by pid. */
function sshSessions(h: SandboxHost): number[] {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(h.sshdPid)], { encoding: 'utf8' });
  return out.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
}

run('real faults on 3 sandbox hosts', () => {
  beforeAll(async () => {
    state = (await loadSandbox()) ?? (await ensureSandbox());
    await resetSandbox();
    state = (await loadSandbox())!;
    await settled(state);
  });

  afterAll(async () => {
    // a killed dockerd is started again by `up`; `reset` puts every host back to v1
    await ensureSandbox();
    await resetSandbox();
  });

  test('the SSH connection to host 2 cut while it checks and switches the new release: host 2 is put back, the run rolls back, 0 failed requests, no lock, the summary names host 2', async () => {
    const host2 = state.hosts[1]!;
    const load = startLoad({ targets: state.hosts.map((h) => `http://${h.address}/`), rate: 200, durationMs: 300_000, keepAlive: true });
    // `slow` answers its health check only ~10 s after it starts: the cut lands inside host 2's switch
    const running = deploy(state, 'slow');
    await until('host 2 starting slow beside v1', async () => (await hostExec(host2, ['docker', 'ps', '--format', '{{.Image}}'])).includes(':slow'));
    const sessions = sshSessions(host2);
    expect(sessions.length).toBeGreaterThan(0);
    for (const pid of sessions) process.kill(pid, 'SIGKILL');
    const r = await running;
    const post = await runPost('deploy', r);
    await new Promise((res) => setTimeout(res, 1000));
    const report = await load.stop();

    expect(r.exitCode).toBe(1);
    expect(r.outputs.status).toBe('rolled-back');
    const hosts = JSON.parse(r.outputs.hosts!) as { host: string; status: string }[];
    expect(hosts.find((h) => h.host === host2.address)!.status).toBe('failed');
    expect(r.summary).toContain(host2.address);
    expect(r.summary).toMatch(/failed \(exit 255\)/);
    expect(post.exitCode).toBe(0);
    await noFailures(state, report);
    for (const h of state.hosts) {
      expect(await servedBy(h)).toBe('v1');
      expect(await historyCurrent(h)).toBe('v1');
      expect(await locked(h)).toBe('no');
    }
  });

  test("host 3's dockerd killed mid-deploy: hosts 1 and 2 go back and serve v1 with 0 failed requests, host 3 is reported lost, no lock anywhere", async () => {
    await resetSandbox();
    state = (await loadSandbox())!;
    await settled(state);
    const [host1, , host3] = state.hosts as [SandboxHost, SandboxHost, SandboxHost];
    const reachable = state.hosts.slice(0, 2);
    const load = startLoad({ targets: reachable.map((h) => `http://${h.address}/`), rate: 200, durationMs: 300_000, keepAlive: true });
    const running = deploy(state, 'v2');
    await until('host 1 serving v2', async () => (await servedBy(host1)) === 'v2');
    process.kill(host3.dockerPid!, 'SIGKILL');
    const r = await running;
    const post = await runPost('deploy', r);
    await new Promise((res) => setTimeout(res, 1000));
    const report = await load.stop();

    expect(r.exitCode).toBe(1);
    expect(r.outputs.status).toBe('rolled-back');
    const hosts = JSON.parse(r.outputs.hosts!) as { host: string; status: string }[];
    expect(hosts.map((h) => h.status)).toEqual(['rolled-back', 'rolled-back', 'failed']);
    expect(r.summary).toMatch(new RegExp(`${host3.address.replace(/\./g, '\\.')}.*host lost`));
    expect(r.summary).toMatch(/Cannot connect to the Docker daemon|docker.sock/);
    expect(post.exitCode).toBe(0);
    await noFailures({ ...state, hosts: reachable }, report);
    for (const h of reachable) {
      expect(await servedBy(h)).toBe('v1');
      expect(await historyCurrent(h)).toBe('v1');
    }
    // host 3 has no Docker engine: the run could not put it back, so it wrote nothing to its history
    // (the post step's reconciliation could not read what serves there either)
    expect((await historyCurrent(host3)) ?? 'v1').toBe('v1');
    expect(post.stdout).toMatch(new RegExp(`${host3.address.replace(/\./g, '\\.')}: post step could not clean up`));
    for (const h of state.hosts) expect(await locked(h)).toBe('no');
    expect(await servedVersions({ ...state, hosts: reachable })).toEqual(['v1', 'v1']);
  });
});
