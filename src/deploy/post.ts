import type { Config, Environment } from '../config/types.js';
import { unlockStep } from '../commands/host.js';
import { removeContainersScript, type ContainerInfo } from '../commands/compose.js';
import { readServingStep } from '../commands/nginx.js';
import { statePaths } from '../commands/paths.js';
import { currentRelease, historyAndImagesStep, recordStep, versionOf } from '../commands/releases.js';
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

/** What nginx routes to is what serves: strays go, and the history's current release is made to match. */
async function reconcileHost(r: Recovery, session: HostSession): Promise<void> {
  const { env, config } = r;
  const serving = await session.run(readServingStep(config.app, env));
  const proxy = serving.containers.find((c) => c.service === env.proxyService);
  if (!proxy || !serving.servers.length) return;
  const web = serving.containers.filter((c) => c.service === env.webService || colorOf(env, c.service));
  const routed = web.filter((c) => serving.servers.includes(`${sharedNetworkAddress(c, proxy)}:${env.health.port}`));
  const strays = web.filter((c) => c.service === env.webService && !routed.includes(c));
  if (routed.length && strays.length) {
    await session.run(plainStep('remove containers that never took traffic', removeContainersScript(strays.map((c) => c.id), 10), 120_000));
    session.info(`removed ${strays.length} container(s) that never took traffic`);
  }
  await recordWhatServes(r, session, routed);
}

async function recordWhatServes(r: Recovery, session: HostSession, routed: ContainerInfo[]): Promise<void> {
  const images = [...new Set(routed.map((c) => c.image))];
  if (images.length !== 1) return;
  const image = images[0]!;
  const { history } = await session.run(historyAndImagesStep(r.env));
  if (currentRelease(history)?.image === image) return;
  const color = colorOf(r.env, routed[0]!.service);
  const version = history.findLast((l) => l.image === image)?.version ?? versionOf(image);
  const digest = history.findLast((l) => l.image === image)?.digest;
  await session.run(recordStep(r.env, [releaseLine({ version, image, ...(digest ? { digest } : {}) }, 'deployed', 'reconcile', r.identity, new Date().toISOString(), color)]));
  session.warning(`the release history did not name what serves: recorded ${version} as current (the run was interrupted after this host switched)`);
}
