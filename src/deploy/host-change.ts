import { listContainersStep, releaseOverrideScript, removeContainersScript, startBesideStep, startServiceScript, type ContainerInfo } from '../commands/compose.js';
import type { HealthResult } from '../commands/health.js';
import { sampleContainers } from '../commands/host.js';
import { plainStep } from '../commands/step.js';
import { errorMessage } from '../errors.js';
import type { ReleaseRef } from './host-state.js';
import { STOP_TIMEOUT_SEC, project, stopOnceNginxLetGo, type Color, type DeployStrategy, type HostWork, type Started } from './strategies/strategy.js';

/** What putting a release on one host came to (typed: nothing is read back from error text). */
export type HostChange =
  | { kind: 'switched'; started: Started; color?: Color; healthyMs: number; switchedAt: number }
  | { kind: 'unhealthy'; health: HealthResult; error: string }
  | { kind: 'failed'; error: string; lost: boolean };

/**
 * One host's story: start the release beside the serving one, check it, switch nginx, then the
 * workers and singletons. Any failed step puts the host back the way it was before answering.
 */
export async function changeHost(w: HostWork, strategy: DeployStrategy, release: ReleaseRef): Promise<HostChange> {
  let started: Started | undefined;
  let switching = false;
  try {
    const containers = await listContainers(w);
    started = await strategy.startBeside(w, release, containers);
    if (!started.fresh.length) throw new Error(`compose started no new ${w.env.webService} container`);
    const checked = await strategy.check(w, started);
    if (!checked.healthy) {
      // never took traffic: taken away at once
      await w.session.run(plainStep('take the unhealthy containers away', await strategy.revert(w, started)));
      return { kind: 'unhealthy', health: checked.health, error: checked.error };
    }
    switching = true;
    await strategy.switchTo(w, started, checked.servers);
    await replaceWorkers(w, release, containers);
    return { kind: 'switched', started, ...(started.color ? { color: started.color } : {}), healthyMs: checked.healthyMs, switchedAt: Date.now() };
  } catch (err) {
    return putBack(w, strategy, started, switching, errorMessage(err));
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
 * host only. Idempotent: what already runs the release is kept, so it also puts a release back.
 */
async function replaceWorkers(w: HostWork, release: ReleaseRef, containers: ContainerInfo[]): Promise<void> {
  const running = (service: string) => containers.filter((c) => c.service === service && c.state === 'running');
  for (const service of w.env.services.filter((s) => s !== w.env.webService)) {
    const old = running(service).filter((c) => c.image !== release.image);
    if (old.length === running(service).length) {
      const fresh = await w.session.run(startBesideStep(project(w, release), service, old.length, Math.max(1, old.length)));
      if (!fresh.length) throw new Error(`compose started no new ${service} container`);
    }
    await w.session.run(plainStep(`stop old ${service}`, removeContainersScript(old.map((c) => c.id), STOP_TIMEOUT_SEC)));
  }
  for (const service of w.env.singletonServices) {
    const all = containers.filter((c) => c.service === service);
    const keep = w.plan.primary ? all.filter((c) => c.image === release.image && c.state === 'running') : [];
    await w.session.run(plainStep(`stop ${service}`, removeContainersScript(all.filter((c) => !keep.includes(c)).map((c) => c.id), STOP_TIMEOUT_SEC)));
    if (w.plan.primary && !keep.length) await w.session.run(plainStep(`start ${service} (singleton)`, startServiceScript(project(w, release), service)));
  }
}
