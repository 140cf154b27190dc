import type { BatchSize } from '../../config/schema.js';
import type { Environment, Host, Strategy } from '../../config/types.js';
import type { ComposeProject, ContainerInfo } from '../../commands/compose.js';
import { healthEndingText, healthStep, type HealthResult } from '../../commands/health.js';
import { overridePath } from '../../commands/paths.js';
import { nginxLetGoStep } from '../../commands/nginx.js';
import type { Script } from '../../commands/shell.js';
import type { ReleaseRef, HostState } from '../host-state.js';
import type { HostPlan } from '../plan.js';
import type { HostSession } from '../session.js';
import type { RunKind } from '../types.js';

export type Color = 'blue' | 'green';

/** Seconds an old container gets to finish its requests when it is stopped. */
export const STOP_TIMEOUT_SEC = 30;
/** How long containers that served wait, past the drain, for nginx to let go of them before they stop anyway. */
export const NGINX_LET_GO_MS = 30_000;

/** Runs `script` (it stops containers that took traffic) once nginx lets go of `serving`; a wait that ran out is a warning. */
export async function stopOnceNginxLetGo(w: HostWork, serving: ContainerInfo[], label: string, script: Script): Promise<void> {
  if (!script.length) return;
  const early = await w.session.run(nginxLetGoStep(label, w.state.proxy.id, upstreamServers(w, serving), NGINX_LET_GO_MS, script));
  for (const why of early) w.session.warning(`${why}; stopping the containers anyway`);
}

/** Everything a strategy needs to work on one host; nothing in it is shared with another host. */
export interface HostWork {
  session: HostSession;
  env: Environment;
  app: string;
  state: HostState;
  plan: HostPlan;
  /** One line for the managed upstream file: who put which release there. */
  note: string;
  /** Waits until what a reload took traffic from has drained (`drain`, at least 1 s). */
  drain(): Promise<void>;
}

/** What starting a release beside the serving one left on the host. */
export interface Started {
  release: ReleaseRef;
  /** The new web containers (not yet taking traffic). */
  fresh: ContainerInfo[];
  /** The web containers serving before (they keep serving until the switch, and drain after it). */
  old: ContainerInfo[];
  color?: Color;
}

export type Checked = { healthy: true; servers: string[]; healthyMs: number } | { healthy: false; health: HealthResult; error: string };

/**
 * A way to put a release on a host without a failed request: start it beside the serving one,
 * check it, switch nginx to it, retire the old once drained; `revert` puts the traffic back on the
 * old containers (before the retirement ran) and returns what takes the new ones away, run once they
 * drained (they may have taken traffic).
 */
export interface DeployStrategy {
  readonly name: Strategy;
  /** The batches a run goes in (pure: the plan shows them). */
  batches(hosts: Host[], batchSize: BatchSize, kind: RunKind): Host[][];
  startBeside(w: HostWork, release: ReleaseRef, containers: ContainerInfo[]): Promise<Started>;
  check(w: HostWork, started: Started): Promise<Checked>;
  switchTo(w: HostWork, started: Started, servers: string[]): Promise<void>;
  /** What stops the old containers, run once they drained. */
  retire(w: HostWork, started: Started): Script;
  revert(w: HostWork, started: Started): Promise<Script>;
}

/** Splits hosts into the batches a deploy updates at once ("50%" of 3 hosts is 2). */
export function hostBatches(hosts: Host[], batchSize: BatchSize): Host[][] {
  const size = 'count' in batchSize ? batchSize.count : Math.max(1, Math.ceil((hosts.length * batchSize.percent) / 100));
  const batches: Host[][] = [];
  for (let i = 0; i < hosts.length; i += size) batches.push(hosts.slice(i, i + size));
  return batches;
}

export function project(w: HostWork, release: ReleaseRef): ComposeProject {
  return { app: w.app, env: w.env, flavor: w.state.facts.compose ?? 'plugin', override: overridePath(w.env, release.version) };
}

/** The address of a container on a network the proxy shares (nginx reaches it there). */
export function sharedNetworkAddress(container: ContainerInfo, proxy: ContainerInfo): string | undefined {
  for (const [network, address] of Object.entries(container.networks)) if (address && proxy.networks[network] !== undefined) return address;
  return undefined;
}

/** `address:port` of each container nginx can reach. */
export function upstreamServers(w: HostWork, containers: ContainerInfo[]): string[] {
  return containers.map((c) => sharedNetworkAddress(c, w.state.proxy)).filter((a): a is string => !!a).map((a) => `${a}:${w.env.health.port}`);
}

/** Health-checks new web containers directly on the network nginx shares with them (both strategies). */
export async function checkFresh(w: HostWork, started: Started): Promise<Checked> {
  const { env, session } = w;
  const servers: string[] = [];
  let healthyMs = 0;
  for (const c of started.fresh) {
    const address = sharedNetworkAddress(c, w.state.proxy);
    if (!address) return { healthy: false, health: { healthy: false, attempts: [], lastResponse: '', logs: '' }, error: `the new ${env.webService} container shares no network with ${env.proxyService}` };
    const health = await session.run(healthStep({ containerId: c.id, address, ...env.health }));
    const last = health.attempts.at(-1);
    if (!health.healthy) return { healthy: false, health, error: `health check of ${started.release.version} failed after ${health.attempts.length} attempt(s) in ${last?.ms ?? 0} ms: ${healthEndingText(health, env.health)}` };
    healthyMs = Math.max(healthyMs, last?.ms ?? 0);
    session.info(`${c.service} ${c.id.slice(0, 12)} (${started.release.version}) healthy at ${address}:${env.health.port} after ${last?.ms ?? 0} ms`);
    servers.push(`${address}:${env.health.port}`);
  }
  return { healthy: true, servers, healthyMs };
}

/** Web containers, plain or of a color, that run now. */
export function runningWeb(env: Environment, containers: ContainerInfo[]): ContainerInfo[] {
  return containers.filter((c) => c.state === 'running' && (c.service === env.webService || colorOf(env, c.service) !== undefined));
}

/** `web-blue` -> blue when `web` is the web service. */
export function colorOf(env: Environment, service: string): Color | undefined {
  if (service === `${env.webService}-blue`) return 'blue';
  if (service === `${env.webService}-green`) return 'green';
  return undefined;
}
