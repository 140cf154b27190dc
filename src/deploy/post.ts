import type { Config, Environment } from '../config/types.js';
import { unlockStep } from '../commands/host.js';
import { removeContainersScript, type ContainerInfo } from '../commands/compose.js';
import { readServingStep, switchUpstreamScript, upstreamConfig } from '../commands/nginx.js';
import { statePaths } from '../commands/paths.js';
import { currentRelease, historyAndImagesStep, recordStep, versionOf, type Release } from '../commands/releases.js';
import { plainStep } from '../commands/step.js';
import { errorMessage } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import { onHosts } from '../remote/on-hosts.js';
import { releaseLine } from './records.js';
import { HostSession } from './session.js';
import { colorOf, sharedNetworkAddress } from './strategies/strategy.js';
import type { Logger, RunIdentity } from './types.js';

export interface Recovery {
  executor: Executor;
  config: Config;
  env: Environment;
  /** Hosts the run may have left locked or out of step with their history. */
  hostIds: string[];
  identity: RunIdentity;
  log: Logger;
  /** The env file hash the run wrote for its version (a release the history does not name yet). */
  releaseEnv?: { version: string; sha256: string };
}

/**
 * After a run that did not finish (cancelled, killed, a host lost mid-step): on every host it
 * touched, remove web containers nginx does not route to, make the history name what really serves,
 * and release this run's lock. Every host is tried; each failure is a warning that says what to do.
 */
export async function recoverHosts(r: Recovery): Promise<void> {
  const hosts = r.env.hosts.filter((h) => r.hostIds.includes(h.id));
  const { failures } = await onHosts(hosts, async (host) => {
    const session = new HostSession(host, r.executor, r.log);
    try {
      await r.executor.connect(host);
      await reconcileHost(r, session);
      const answer = await session.run(unlockStep(r.env, r.identity.owner));
      session.info(`lock ${answer === 'released' ? 'released' : 'was not ours any more'}`);
    } finally {
      await r.executor.close(host).catch(() => undefined);
    }
  });
  for (const f of failures) r.log.warning(`${f.host.id}: post step could not clean up: ${errorMessage(f.error)}; remove ${statePaths(r.env).lock} by hand once no deploy runs`);
}

/** The hosts a post step works on: every lock the run may still hold, and every host it lost mid-step. */
export function postHosts(locked: string[], reconcile: string[]): string[] {
  return [...new Set([...locked, ...reconcile])];
}

/** What nginx routes to is what serves: strays go, and the history's current release is made to match. */
async function reconcileHost(r: Recovery, session: HostSession): Promise<void> {
  const { env, config } = r;
  const serving = await session.run(readServingStep(config.app, env));
  const proxy = serving.containers.find((c) => c.service === env.proxyService);
  if (!proxy || !serving.servers.length) return;
  const { history } = await session.run(historyAndImagesStep(env));
  const web = serving.containers.filter((c) => c.service === env.webService || colorOf(env, c.service));
  const found = web.filter((c) => serving.servers.includes(`${sharedNetworkAddress(c, proxy)}:${env.health.port}`));
  const routed = new Set(found.map((c) => c.image)).size > 1 ? await oneRelease(r, session, proxy, found, history) : found;
  const strays = web.filter((c) => c.service === env.webService && !routed.includes(c));
  if (routed.length && strays.length) {
    await session.run(plainStep('remove containers that never took traffic', removeContainersScript(strays.map((c) => c.id), 10), 120_000));
    session.info(`removed ${strays.length} container(s) that never took traffic`);
  }
  await recordWhatServes(r, session, routed, history);
}

/** Killed between "old + new" and "new only": nginx goes back to the release the history names. */
async function oneRelease(r: Recovery, session: HostSession, proxy: ContainerInfo, routed: ContainerInfo[], history: Release[]): Promise<ContainerInfo[]> {
  const current = currentRelease(history)?.image;
  const keep = routed.some((c) => c.image === current) ? routed.filter((c) => c.image === current) : routed.filter((c) => c.image === routed[0]!.image);
  const servers = keep.map((c) => `${sharedNetworkAddress(c, proxy)}:${r.env.health.port}`);
  await session.run(plainStep('nginx: one release only', switchUpstreamScript(r.env, proxy.id, upstreamConfig(r.env.upstreamName, servers, `${r.config.app}: reconciled by the post step`))));
  session.warning(`nginx routed to two releases (the run was killed mid-switch): back to ${keep[0]!.image} only`);
  return keep;
}

async function recordWhatServes(r: Recovery, session: HostSession, routed: ContainerInfo[], history: Release[]): Promise<void> {
  const images = [...new Set(routed.map((c) => c.image))];
  if (images.length !== 1) return;
  const image = images[0]!;
  if (currentRelease(history)?.image === image) return;
  const color = colorOf(r.env, routed[0]!.service);
  const known = history.findLast((l) => l.image === image);
  const version = known?.version ?? versionOf(image);
  // the release keeps its environment file: from its earlier line, or the one this run wrote
  const envSha256 = known?.['env-sha256'] ?? (r.releaseEnv?.version === version ? r.releaseEnv.sha256 : undefined);
  await session.run(recordStep(r.env, [releaseLine({ version, image, ...(known?.digest ? { digest: known.digest } : {}), ...(envSha256 ? { envSha256 } : {}) }, 'deployed', 'reconcile', r.identity, new Date().toISOString(), color)]));
  session.warning(`the release history did not name what serves: recorded ${version} as current (the run was interrupted after this host switched)`);
}
