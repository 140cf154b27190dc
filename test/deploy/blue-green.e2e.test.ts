// Blue-green end-to-end on the sandbox (spec §4.3, issue #5): the new release starts in the idle
// color, is checked, nginx switches to it, the old color is kept stopped for an instant rollback.
import { jest } from '@jest/globals';
import { hostExec, loadSandbox, resetSandbox, sandboxUnavailableReason, ensureSandbox, type SandboxState } from '../../testkit/sandbox/state.js';
import { deploy, get, rollback, servedVersions, settled, watchVersions, workspaceFor } from '../../testkit/e2e.js';
import { noFailures, underLoad } from './load-checks.js';

jest.setTimeout(300_000);
const reason = process.env.PARKING_CI_SANDBOX_SKIP ?? (await sandboxUnavailableReason());
const run = reason && process.env.CI !== 'true' ? describe.skip : describe;

let state: SandboxState;
const blueGreen = { strategy: 'blue-green' };

const webContainers = async (h: SandboxState['hosts'][number]) =>
  (await hostExec(h, ['docker', 'ps', '-a', '--filter', 'label=com.docker.compose.project=parking', '--format', '{{.Label "com.docker.compose.service"}} {{.State}} {{.Image}}']))
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('web'))
    .sort();

run('deploy (blue-green) on 3 sandbox hosts', () => {
  beforeAll(async () => {
    state = (await loadSandbox()) ?? (await ensureSandbox());
    await resetSandbox();
    await settled(state);
  });

  test('v1 -> v2 goes to the idle color, 0 failed requests, the old color is kept stopped, history records the color', async () => {
    const [r, load] = await underLoad(state, () => deploy(state, 'v2', { inputs: blueGreen }));
    expect(r.exitCode).toBe(0);
    await noFailures(state, load);
    expect(await servedVersions(state)).toEqual(['v2', 'v2', 'v2']);
    const hosts = JSON.parse(r.outputs.hosts!) as { status: string; color: string }[];
    expect(hosts.map((h) => [h.status, h.color])).toEqual([['deployed', 'blue'], ['deployed', 'blue'], ['deployed', 'blue']]);
    expect(await webContainers(state.hosts[0]!)).toEqual([`web-blue running ${state.image}:v2`]);

    const [r3, load3] = await underLoad(state, () => deploy(state, 'v3', { inputs: blueGreen }));
    expect(r3.exitCode).toBe(0);
    await noFailures(state, load3);
    expect(await servedVersions(state)).toEqual(['v3', 'v3', 'v3']);
    expect(await webContainers(state.hosts[0]!)).toEqual([`web-blue exited ${state.image}:v2`, `web-green running ${state.image}:v3`]);
    const history = (await hostExec(state.hosts[0]!, ['cat', `${state.appDir}/.parking-ci/releases.jsonl`])).trim().split('\n').map((l) => JSON.parse(l));
    expect(history.at(-1)).toMatchObject({ version: 'v3', status: 'deployed', color: 'green' });
  });

  test('rollback switches back to the kept color without pulling or recreating: the previous version serves within 5 s on every host, 0 failed requests', async () => {
    const idsBefore = await hostExec(state.hosts[0]!, ['docker', 'ps', '-aq', '--no-trunc', '--filter', 'label=com.docker.compose.service=web-blue']);
    const started = Date.now();
    const firstServed = new Map<string, number>();
    let polling = true;
    const poll = (async () => {
      while (polling) {
        await Promise.all(
          state.hosts.map(async (h) => {
            const body = await get(`http://${h.address}/`, 1000).then((r) => r.body, () => '');
            if (body.includes('parking web v2') && !firstServed.has(h.address)) firstServed.set(h.address, Date.now() - started);
          }),
        );
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const [r, load] = await underLoad(state, () => rollback(state, 'previous', { inputs: blueGreen }));
    polling = false;
    await poll;
    expect(r.exitCode).toBe(0);
    await noFailures(state, load);
    expect(r.outputs.version).toBe('v2');
    expect(await servedVersions(state)).toEqual(['v2', 'v2', 'v2']);
    expect(r.stdout).toMatch(/v2 is kept in blue: started it again without pulling or recreating/);
    expect(await hostExec(state.hosts[0]!, ['docker', 'ps', '-aq', '--no-trunc', '--filter', 'label=com.docker.compose.service=web-blue'])).toBe(idsBefore);
    // measured from the moment the rollback step started (`started` is taken 1 s before, at the load's start)
    const servedAfter = state.hosts.map((h) => firstServed.get(h.address)! - 1000);
    console.log(`blue-green rollback: previous color serving after ${servedAfter.join(', ')} ms`);
    for (const ms of servedAfter) expect(ms).toBeLessThan(5000);
  });

  test('a version failing its health check never takes traffic and the live color keeps serving', async () => {
    const watcher = watchVersions(state);
    const [r, load] = await underLoad(state, () => deploy(state, 'bad-health', { inputs: blueGreen }));
    const seen = await watcher.stop();
    expect(r.exitCode).toBe(1);
    await noFailures(state, load);
    expect(seen.has('bad-health')).toBe(false);
    expect(r.outputs.status).toBe('rolled-back');
    expect(await servedVersions(state)).toEqual(['v2', 'v2', 'v2']);
  });

  test('keep-idle-color: running: both colors run, nginx stays on the live one; deploys and a rollback that retire nothing fail no request and do not wait for the drain', async () => {
    // with both colors running, only the upstream file says which one serves: taking the idle one
    // for the live one removed the serving color under load (HTTP 502)
    const workspace = workspaceFor(state, (yaml) => yaml.replace(/^(\s*)keep-releases:/m, '$1keep-idle-color: running\n$1keep-releases:'));
    const options = { workspace, inputs: blueGreen };
    const [d3, load3] = await underLoad(state, () => deploy(state, 'v3', options));
    expect(d3.exitCode).toBe(0);
    await noFailures(state, load3);
    const [d2, load2] = await underLoad(state, () => deploy(state, 'v2', options));
    expect(d2.exitCode).toBe(0);
    await noFailures(state, load2);
    expect(await servedVersions(state)).toEqual(['v2', 'v2', 'v2']);
    const colors = await webContainers(state.hosts[0]!);
    expect(colors.filter((c) => c.includes(' running ')).length).toBe(2);
    const [r, load] = await underLoad(state, () => rollback(state, 'previous', options));
    expect(r.exitCode).toBe(0);
    await noFailures(state, load);
    expect(await servedVersions(state)).toEqual(['v3', 'v3', 'v3']);
    // nothing was retired: the run did not wait for the drain
    expect((JSON.parse(r.outputs.timings!) as { 'phases-ms': Record<string, number> })['phases-ms'].retire ?? 0).toBeLessThan(500);
    expect((await webContainers(state.hosts[0]!)).filter((c) => c.includes(' running ')).length).toBe(2);
  });
});
