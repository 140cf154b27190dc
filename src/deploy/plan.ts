import type { Config, Environment, Host, Strategy } from '../config/types.js';
import { findRelease, imageRef, previousRelease } from '../commands/releases.js';
import { UserError } from '../errors.js';
import type { HostState, ReleaseRef } from './host-state.js';
import { strategyFor } from './strategies/index.js';
import type { RunKind } from './types.js';

/** What a run asks for: the inputs that decide the plan. */
export interface PlanRequest {
  kind: RunKind;
  /** deploy: the version. rollback: `previous` or a version from the history. */
  version: string;
  strategy: Strategy;
}

export interface HostPlan {
  host: Host;
  /** The first host: it runs the migration and the singleton services. */
  primary: boolean;
  singletons: string[];
  from: ReleaseRef;
  to: ReleaseRef;
  /** The history names nothing yet: the run records what it found running before its own line. */
  adopt: boolean;
}

/** Everything a run will do, decided before anything changes; the plan action shows the same. */
export interface Plan {
  kind: RunKind;
  strategy: Strategy;
  /** The version the run goes to (a rollback's target, from the primary host's history). */
  version: string;
  /** What serves before the run, one label for the fleet (`v1`, or `v1,v2` when hosts differ). */
  previousVersion: string;
  hosts: HostPlan[];
  batches: Host[][];
  migration?: { host: Host; command: string; timeoutMs: number };
  /** More failed hosts than this puts every switched host back. */
  maxFailedHosts: number;
  /** Whether images come from the registry (a rollback only uses what each host kept). */
  pull: boolean;
}

/**
 * The plan of a run, from the environment, the request and (for a real or dry run) each host's
 * inspected state; without states (the plan action) the releases are named by what they will be.
 */
export function plan(config: Config, env: Environment, request: PlanRequest, states?: ReadonlyMap<string, HostState>): Plan {
  const primary = env.hosts[0]!;
  const hosts = env.hosts.map((host): HostPlan => {
    const state = states?.get(host.id);
    const from = state?.current ?? { version: '(current)', image: '' };
    return { host, primary: host === primary, singletons: host === primary ? env.singletonServices : [], from, to: target(config, request, state), adopt: state?.firstDeploy ?? false };
  });
  const missing = states ? hosts.filter((h) => !h.to.image).map((h) => h.host.id) : [];
  if (missing.length) throw new UserError(missingTargetMessage(request.version, missing));
  const previous = states ? [...new Set(hosts.map((h) => h.from.version))].join(',') || 'none' : '(current)';
  const migrate = request.kind === 'deploy' ? env.migrate : undefined;
  return {
    kind: request.kind,
    strategy: request.strategy,
    version: request.kind === 'deploy' ? request.version : hosts[0]!.to.version,
    previousVersion: previous,
    hosts,
    batches: strategyFor(request.strategy).batches(env.hosts, env.batchSize, request.kind),
    ...(migrate ? { migration: { host: primary, command: migrate.command, timeoutMs: migrate.timeoutMs } } : {}),
    maxFailedHosts: env.maxFailedHosts,
    pull: request.kind === 'deploy',
  };
}

/** The release a host goes to; a rollback's must be in that host's history (empty image: it is not). */
function target(config: Config, request: PlanRequest, state: HostState | undefined): ReleaseRef {
  if (request.kind === 'deploy') return { version: request.version, image: imageRef(config.image, request.version) };
  if (!state) return { version: request.version === 'previous' ? '(previous)' : request.version, image: '(kept on the host)' };
  const release = request.version === 'previous' ? previousRelease(state.history) : findRelease(state.history, request.version);
  return release ? { version: release.version, image: release.image, digest: release.digest } : { version: request.version, image: '' };
}

function missingTargetMessage(version: string, hosts: string[]): string {
  return version === 'previous'
    ? `no earlier good release to roll back to on ${hosts.join(', ')}; see \`to: list\``
    : `version ${version} is not in the release history of ${hosts.join(', ')}; choose one listed by \`to: list\``;
}

/** The plan as log lines: the same in the plan action, a dry run and a real run. */
export function describePlan(p: Plan): string[] {
  const primary = p.hosts.find((h) => h.primary)!;
  return [
    ...p.batches.map((batch, i) => `batch ${i + 1}: ${batch.map((h) => h.id).join(', ')}`),
    ...p.hosts.map((h) => `${h.host.id}: ${h.from.version} -> ${h.to.version}${h.singletons.length ? ` (+ ${h.singletons.join(', ')})` : ''}`),
    `strategy: ${p.strategy}; roll back when more than ${p.maxFailedHosts} host(s) fail`,
    `migrations: ${p.migration ? `${p.migration.command} on ${primary.host.id}, before any host switches` : 'none'}`,
    `images: ${p.pull ? 'pulled from the registry' : 'kept on each host (no registry needed)'}`,
  ];
}
