import { listContainersStep, releaseOverrideScript, replaceWorkersStep, type ContainerInfo, type WorkersChange } from '../commands/compose.js';
import type { HealthResult } from '../commands/health.js';
import { sampleContainers } from '../commands/host.js';
import { plainStep } from '../commands/step.js';
import { errorMessage } from '../errors.js';
import type { ReleaseRef } from './host-state.js';
import { STOP_TIMEOUT_SEC, project, stopOnceNginxLetGo, type Color, type DeployStrategy, type HostWork, type Started } from './strategies/strategy.js';

/** What putting a release on one host came to (typed: nothing is read back from error text). */
export type HostChange =
  | { kind: 'switched'; started: Started; color?: Color; bootMs: number; healthyMs: number; switchedAt: number }
  | { kind: 'unhealthy'; health: HealthResult; error: string }
  | { kind: 'failed'; error: string; lost: boolean };

/**
 * One host's story, its web part: start the release beside the serving one, check it, switch nginx;
 * finishHost then replaces the workers and singletons (with the containers listed here). Any failed
 * step puts the host back the way it was before answering.
 */
export async function switchHost(w: HostWork, strategy: DeployStrategy, release: ReleaseRef): Promise<{ change: HostChange; containers: ContainerInfo[] }> {
  let started: Started | undefined;
  let switching = false;
  let containers: ContainerInfo[] = [];
  try {
    containers = await listContainers(w);
    const booting = Date.now();
    started = await strategy.startBeside(w, release, containers);
    const bootMs = Date.now() - booting;
    if (!started.fresh.length) throw new Error(`compose started no new ${w.env.webService} container`);
    const checked = await strategy.check(w, started);
    if (!checked.healthy) {
      // never took traffic: taken away at once
      await w.session.run(plainStep('take the unhealthy containers away', await strategy.revert(w, started)));
      return { change: { kind: 'unhealthy', health: checked.health, error: checked.error }, containers };
    }
    switching = true;
    await strategy.switchTo(w, started, checked.servers);
    return { change: { kind: 'switched', started, ...(started.color ? { color: started.color } : {}), bootMs, healthyMs: checked.healthyMs, switchedAt: Date.now() }, containers };
  } catch (err) {
    return { change: await putBack(w, strategy, started, switching, errorMessage(err)), containers };
  }
}

/** The rest of a switched host's story: its workers and singletons (a failure puts the host back). */
export async function finishHost(w: HostWork, strategy: DeployStrategy, release: ReleaseRef, change: HostChange & { kind: 'switched' }, containers: ContainerInfo[]): Promise<HostChange> {
  try {
    await replaceWorkers(w, release, containers);
    return change;
  } catch (err) {
    return putBack(w, strategy, change.started, true, errorMessage(err));
  }
}

/** A failed step left the host half way: traffic back to the old containers, the old workers back. */
async function putBack(w: HostWork, strategy: DeployStrategy, started: Started | undefined, tookTraffic: boolean, error: string): Promise<HostChange> {
  try {
    await revertHost(w, strategy, started, tookTraffic);
    w.session.warning(`${error}; put back to ${w.plan.from.version}`);
    return { kind: 'failed', error, lost: false };
  } catch (again) {
    w.session.warning(`${error}; putting it back failed too (${errorMessage(again)}): what it serves is reconciled by the post step`);
    return { kind: 'failed', error: `${error}; the host could not be put back (${errorMessage(again)}): its release history is reconciled with what it serves by the post step`, lost: true };
  }
}

/**
 * Puts a host back on the release it served when the run began (also the auto-rollback of a switched
 * host): traffic to the old containers, the old workers back, then the new containers go once what
 * they served has drained.
 */
export async function revertHost(w: HostWork, strategy: DeployStrategy, started: Started | undefined, tookTraffic: boolean): Promise<void> {
  const discard = started ? await strategy.revert(w, started) : [];
  const from = w.plan.from;
  if (from.image) {
    await w.session.run(plainStep('write the previous release override', releaseOverrideScript(w.env, from)));
    await replaceWorkers(w, from, await listContainers(w));
  }
  if (!discard.length) return;
  if (!tookTraffic) {
    await w.session.run(plainStep('take the new containers away', discard));
    return;
  }
  await w.drain();
  await stopOnceNginxLetGo(w, started?.fresh ?? [], 'take the new containers away', discard);
}

/** All the project's containers on a host, stopped ones included (re-read: earlier steps change them). */
function listContainers(w: HostWork): Promise<ContainerInfo[]> {
  return w.session.run(listContainersStep(w.app, sampleContainers(w.env)));
}

/**
 * Workers start new before the old ones stop; singletons stop before they start, on the primary
 * host only; all of it one remote step. Idempotent: what already runs the release is kept, so it
 * also puts a release back.
 */
async function replaceWorkers(w: HostWork, release: ReleaseRef, containers: ContainerInfo[]): Promise<void> {
  const running = (service: string) => containers.filter((c) => c.service === service && c.state === 'running');
  const change: WorkersChange = { start: [], singletons: [], stop: [], remove: [] };
  for (const service of w.env.services.filter((s) => s !== w.env.webService)) {
    const old = running(service).filter((c) => c.image !== release.image);
    if (old.length === running(service).length) change.start.push({ service, count: Math.max(1, old.length), running: old.length });
    change.stop.push(...old.map((c) => c.id));
  }
  for (const service of w.env.singletonServices) {
    const all = containers.filter((c) => c.service === service);
    const keep = w.plan.primary ? all.filter((c) => c.image === release.image && c.state === 'running') : [];
    change.remove.push(...all.filter((c) => !keep.includes(c)).map((c) => c.id));
    if (w.plan.primary && !keep.length) change.singletons.push(service);
  }
  if (!change.start.length && !change.singletons.length && !change.stop.length && !change.remove.length) return;
  await w.session.run(replaceWorkersStep(project(w, release), change, STOP_TIMEOUT_SEC));
}
