import type { Config, Environment, Hook, HookName, Host, Strategy } from '../config/types.js';
import { envFileName } from '../commands/paths.js';
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
  /** deploy: the hash of the environment file this run writes (none when the config has no env). */
  envSha256?: string;
}

/** A hook the run will call, on the primary host, and when. */
export interface PlannedHook extends Hook {
  name: HookName;
  host: Host;
  when: string;
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
  /** The variables a deploy gives the app (names; clear values are not secret). A rollback reuses each release's own file. */
  env: { clear: Record<string, string>; secret: string[]; sha256?: string };
  hooks: PlannedHook[];
}

/** When each hook runs, in the order a run reaches them. */
const HOOK_WHEN: Record<HookName, string> = {
  'pre-deploy': 'after the images are on every host, before anything changes (fails: nothing switched)',
  'pre-migrate': 'right before the migration (fails: no migration, nothing switched); the place for a backup',
  'post-deploy': 'after every host serves the new release (fails: a warning)',
  'post-rollback': 'after a rollback, or after a failed deploy was rolled back (fails: a warning)',
};

function plannedHooks(env: Environment, kind: PlanRequest['kind'], migrates: boolean, primary: Host): PlannedHook[] {
  const names: HookName[] = kind === 'deploy' ? ['pre-deploy', ...(migrates ? (['pre-migrate'] as const) : []), 'post-deploy', 'post-rollback'] : ['pre-deploy', 'post-rollback'];
  return names.flatMap((name) => {
    const hook = env.hooks[name];
    return hook ? [{ ...hook, name, host: primary, when: HOOK_WHEN[name] }] : [];
  });
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
  // a rollback starts the old release with its own environment: the file must still be there
  const noEnv = request.kind === 'rollback' && states ? hosts.filter((h) => h.to.envSha256 && !states.get(h.host.id)?.facts.envFiles.includes(envFileName(h.to.version, h.to.envSha256))) : [];
  if (noEnv.length)
    throw new UserError(`${noEnv.map((h) => h.host.id).join(', ')}: the environment file of ${noEnv[0]!.to.version} is gone from ${env.appDir}/.parking-ci/env/; nothing was changed. Deploy ${noEnv[0]!.to.version} again (with its settings) instead of rolling back to it`);
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
    env: { clear: { ...env.env.clear }, secret: [...env.env.secret], ...(request.envSha256 ? { sha256: request.envSha256 } : {}) },
    hooks: plannedHooks(env, request.kind, !!migrate, primary),
  };
}

/** The release a host goes to; a rollback's must be in that host's history (empty image: it is not). */
function target(config: Config, request: PlanRequest, state: HostState | undefined): ReleaseRef {
  if (request.kind === 'deploy') return { version: request.version, image: imageRef(config.image, request.version), ...(request.envSha256 ? { envSha256: request.envSha256 } : {}) };
  if (!state) return { version: request.version === 'previous' ? '(previous)' : request.version, image: '(kept on the host)' };
  const release = request.version === 'previous' ? previousRelease(state.history) : findRelease(state.history, request.version);
  return release ? { version: release.version, image: release.image, digest: release.digest, ...(release['env-sha256'] ? { envSha256: release['env-sha256'] } : {}) } : { version: request.version, image: '' };
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
    `environment: ${describeEnv(p)}`,
    ...(p.hooks.length ? p.hooks.map((h) => `hook ${h.name} (in ${h.in === 'image' ? 'a one-off container of the release' : 'a shell on the host'}, on ${h.host.id}): ${h.command} — ${h.when}`) : ['hooks: none']),
  ];
}

/** Names only for secrets; clear values are shown (they are not secret by definition). */
export function describeEnv(p: Pick<Plan, 'kind' | 'env'>): string {
  if (p.kind === 'rollback') return "each host starts the release with that release's own environment file";
  const clear = Object.entries(p.env.clear).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  if (!clear.length && !p.env.secret.length) return 'none from parking-ci (the compose file decides)';
  return [clear.length ? `clear ${clear.join(', ')}` : '', p.env.secret.length ? `secret ${p.env.secret.join(', ')} (values masked)` : ''].filter(Boolean).join('; ') + (p.env.sha256 ? ` — file ${p.env.sha256.slice(0, 16)}, 0600 on every host` : '');
}
