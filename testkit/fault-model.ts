// The fault model's harness: one scenario (fleet, strategy, batches, a deploy or rollback, faults)
// run through the real engine against a FakeFleet, then the post step as the action would run it,
// then the invariants every run must keep. Used by test/deploy/fault-model.test.ts.
import { parseConfig } from '../src/config/load.js';
import type { Environment, HookName } from '../src/config/types.js';
import { releaseEnv } from '../src/deploy/release-env.js';
import { currentRelease, parseReleases } from '../src/commands/releases.js';
import { runDeployment } from '../src/deploy/engine.js';
import { postHosts, recoverHosts } from '../src/deploy/post.js';
import type { Logger, RunResult } from '../src/deploy/types.js';
import type { Executor } from '../src/remote/executor.js';
import { FakeFleet, type Fault, type FakeHost } from './fake-fleet.js';
import { envFileName } from '../src/commands/paths.js';

export interface Scenario {
  hosts: number;
  strategy: 'rolling' | 'blue-green';
  batchSize: number | string;
  maxFailedHosts: number;
  kind: 'deploy' | 'rollback';
  /** rollback: `previous` or a version of the history. */
  rollbackTo?: string;
  /** What each host's history holds, oldest first (the last one serves). */
  history: string[];
  /** Host indexes where the deployed version fails its health check. */
  unhealthy: number[];
  migrate: boolean;
  badMigration?: boolean;
  faults: Fault[];
  cancelAt?: number;
  /** The config has env (clear + a secret) and the seed's releases have env files. */
  env?: boolean;
  /** The config has every hook; this one exits 1. */
  hooks?: boolean;
  failingHook?: HookName;
  /** Blue-green with `keep-idle-color: running`, from a seed that runs both colors (needs two releases in the history). */
  idleRunning?: boolean;
}

/** The secret the env scenarios deliver: it may appear in no log line. */
export const FAULT_MODEL_SECRET = 'fm-Secret-"$value\'=\n2';

export interface Outcome {
  result?: RunResult;
  killed: boolean;
  fleet: FakeFleet;
  env: Environment;
  log: string[];
  /** What the deploy went to (deploy: v3; rollback: the resolved target when the run got that far). */
  newVersion: string;
}

const NEW = 'v3';

function configText(s: Scenario): string {
  const hosts = Array.from({ length: s.hosts }, (_, i) => `10.0.0.${i + 11}`);
  return [
    'app: parking',
    'image: registry.test/parking/web',
    'environments:',
    '  production:',
    `    hosts: [${hosts.join(', ')}]`,
    '    ssh: {user: deployer}',
    '    app-dir: /opt/parking',
    '    services: [web, worker]',
    '    singleton-services: [beat]',
    `    strategy: ${s.strategy}`,
    `    batch-size: ${typeof s.batchSize === 'number' ? s.batchSize : `"${s.batchSize}"`}`,
    `    max-failed-hosts: ${s.maxFailedHosts}`,
    '    drain: 1s',
    ...(s.idleRunning ? ['    keep-idle-color: running'] : []),
    ...(s.migrate ? ['    migrate: {command: python manage.py migrate}'] : []),
    ...(s.env ? ['    env: {clear: {GREETING: hello}, secret: [SECRET_KEY]}'] : []),
    ...(s.hooks ? [`    hooks: {pre-deploy: ./pre, ${s.migrate ? 'pre-migrate: {command: ./backup, in: host}, ' : ''}post-deploy: ./post, post-rollback: ./back}`] : []),
    '',
  ].join('\n');
}

export interface ScenarioOptions {
  /** Wraps the run's executor (to delay or answer one step differently). */
  wrap?: (executor: Executor) => Executor;
  /** Run the post step as the action does (default); false shows what the main step alone left. */
  post?: boolean;
  /** The engine's logger (default: lines kept in the outcome). */
  log?: Logger;
}

/** Runs a scenario: the engine (killed when a step hangs), then the post step; returns what it left. */
export async function runScenario(s: Scenario, options: ScenarioOptions = {}): Promise<Outcome> {
  const config = parseConfig(configText(s), 'fault-model.yml');
  const env = config.environments.production!;
  const abort = new AbortController();
  const running = s.history.at(-1) ?? 'v1';
  const version = s.kind === 'deploy' ? NEW : (s.rollbackTo ?? 'previous');
  const fleet = new FakeFleet({
    hosts: env.hosts, app: config.app, appDir: env.appDir, image: config.image, history: s.history, running,
    unhealthy: { [NEW]: s.unhealthy }, ...(s.badMigration ? { badMigrations: [NEW] } : {}), ...(s.env ? { env: true } : {}), ...(s.failingHook ? { failingHooks: [s.failingHook] } : {}), ...(s.idleRunning ? { idleColorRunning: true } : {}),
    faults: s.faults, ...(s.cancelAt ? { cancelAt: s.cancelAt } : {}), onCancel: () => abort.abort(),
  });
  const releaseEnvOf = releaseEnv(env, new Map([['SECRET_KEY', FAULT_MODEL_SECRET]]), 'fault-model', config.app) ?? { content: '', sha256: '', clear: [], secret: [] };
  const lines: string[] = [];
  const log: Logger = options.log ?? { info: (l) => void lines.push(l), warning: (l) => void lines.push(`warning: ${l}`), group: (_t, fn) => fn() };
  const pending = { locked: [] as string[], reconcile: [] as string[] };
  const identity = { actor: 'octocat', runUrl: 'https://github.com/acme/parking/actions/runs/1', gitSha: 'abc', owner: 'run-1' };
  const run = runDeployment({
    kind: s.kind, config, env, strategy: s.strategy, version, identity, ...(s.env && s.kind === 'deploy' ? { releaseEnv: releaseEnvOf } : {}), executor: options.wrap ? options.wrap(fleet.executor()) : fleet.executor(), log, signal: abort.signal,
    onLocked: (ids) => (pending.locked = ids), onReconcile: (ids) => (pending.reconcile = ids), sleep: async () => undefined,
  });
  const ended = await Promise.race([run.then((result) => ({ result })), fleet.hang.then(() => ({ result: undefined }))]);
  if (!ended.result) fleet.kill();
  const hostIds = postHosts(pending.locked, pending.reconcile);
  const written = s.env && s.kind === 'deploy' ? { releaseEnv: { version: NEW, sha256: releaseEnvOf.sha256 } } : {};
  if (hostIds.length && options.post !== false) await recoverHosts({ executor: fleet.postExecutor(), config, env, hostIds, identity, log, ...written });
  const newVersion = s.kind === 'deploy' ? NEW : (ended.result?.version ?? version);
  return { ...(ended.result ? { result: ended.result } : {}), killed: !ended.result, fleet, env, log: lines, newVersion };
}

/** What a host serves: one image behind nginx, or a description of why not. */
function served(h: FakeHost): string {
  const routed = h.routed(8000);
  const images = [...new Set(routed.map((c) => c.image))];
  if (!routed.length) return '(nothing routed)';
  if (routed.some((c) => c.state !== 'running')) return '(a routed container is not running)';
  if (routed.some((c) => !h.passed.has(c.id))) return '(a routed container never passed its health check)';
  return images.length === 1 ? images[0]! : `(two releases: ${images.join(', ')})`;
}

/** Every invariant of issue 13 that fails for this outcome (empty: all hold). */
export function violations(s: Scenario, o: Outcome): string[] {
  const { fleet } = o;
  const problems: string[] = [];
  const ref = (v: string) => fleet.ref(v);
  const from = ref(s.history.at(-1) ?? 'v1');
  for (const h of fleet.hosts) {
    const image = served(h);
    const current = currentRelease(parseReleases(h.files.get(fleet.releasesPath) ?? ''));
    if (image.startsWith('(')) problems.push(`${h.host.id} serves ${image}`);
    else if ((current?.image ?? from) !== image) problems.push(`${h.host.id} serves ${image} but its history names ${current?.image ?? 'nothing'}`);
    if (fleet.isLocked(h)) problems.push(`${h.host.id} is still locked`);
    if (s.kind === 'rollback' && h.pulls) problems.push(`${h.host.id} pulled from the registry during a rollback`);
  }
  if (fleet.migrations > 1) problems.push(`the migration ran ${fleet.migrations} times`);
  for (const e of fleet.events.filter((x) => x.what === 'stopped-serving')) problems.push(`host ${e.host}: a container of ${e.images?.[0]} stopped while nginx routed to it`);
  problems.push(...envAndHookProblems(s, o));
  const migrated = fleet.events.find((e) => e.what === 'migrate');
  const firstNew = fleet.events.find((e) => e.what === 'reload' && e.images?.includes(ref(o.newVersion)));
  if (s.kind === 'deploy' && s.migrate && firstNew && (!migrated || migrated.seq > firstNew.seq)) problems.push('a host switched before the migration ran');
  if (o.result) problems.push(...outputProblems(o, from));
  return problems;
}

/**
 * Each release runs with its own environment: a container nginx routes to reads the env file its
 * host's history names for the current release, and that file is there. A failing pre-* hook
 * switches nothing (and a failing pre-migrate one stops the migration). No secret in the log.
 */
function envAndHookProblems(s: Scenario, o: Outcome): string[] {
  const problems: string[] = [];
  for (const h of o.fleet.hosts) {
    const current = currentRelease(parseReleases(h.files.get(o.fleet.releasesPath) ?? ''));
    const routed = h.routed(8000);
    if (!current || !routed.length || routed.some((c) => c.image !== current.image)) continue;
    const want = current['env-sha256'] ? `${o.env.appDir}/.parking-ci/env/${envFileName(current.version, current['env-sha256'])}` : undefined;
    for (const c of routed) if (c.envFile !== want) problems.push(`${h.host.id}: ${c.id} (${current.version}) reads ${c.envFile ?? 'no env file'}, its release's is ${want ?? 'none'}`);
    if (want && !h.files.has(want)) problems.push(`${h.host.id}: the env file of the current release ${current.version} is gone`);
  }
  const hookRan = (name: string) => o.fleet.events.some((e) => e.what === 'hook' && e.hook === name);
  if (s.failingHook?.startsWith('pre-') && hookRan(s.failingHook)) {
    if (o.fleet.events.some((e) => e.what === 'reload')) problems.push(`a host switched after the ${s.failingHook} hook failed`);
    if (o.fleet.migrations) problems.push(`the migration ran after the ${s.failingHook} hook failed`);
    if (o.result && o.result.status !== 'failed') problems.push(`status ${o.result.status} after the ${s.failingHook} hook failed`);
  }
  if (o.fleet.events.filter((e) => e.what === 'hook').length > new Set(o.fleet.events.filter((e) => e.what === 'hook').map((e) => e.hook)).size) problems.push('a hook ran twice');
  if (o.log.some((l) => l.includes(FAULT_MODEL_SECRET) || l.includes('fm-Secret'))) problems.push('a log line holds the secret');
  return problems;
}

/** The outputs (status, hosts, previous-version) against what the hosts serve. */
function outputProblems(o: Outcome, from: string): string[] {
  const r = o.result!;
  const problems: string[] = [];
  const to = o.fleet.ref(o.newVersion);
  if (r.hosts.length && r.previousVersion !== from.split(':').at(-1)) problems.push(`previous-version is ${r.previousVersion}, hosts served ${from}`);
  const failed = r.hosts.filter((h) => h.status === 'failed').length;
  for (const outcome of r.hosts) {
    const h = o.fleet.hosts.find((x) => x.host.id === outcome.host.id)!;
    const image = served(h);
    if (outcome.lost) continue;
    if (outcome.status === 'deployed' && image !== to) problems.push(`${h.host.id} is "deployed" but serves ${image}`);
    if (outcome.status !== 'deployed' && image !== from) problems.push(`${h.host.id} is "${outcome.status}" but serves ${image}`);
  }
  if (r.status === 'rolled-back' || failed > o.env.maxFailedHosts) {
    for (const h of o.fleet.hosts) if (served(h) === to && to !== from) problems.push(`${h.host.id} serves the new release after more than max-failed-hosts failed`);
  }
  if (r.status === 'deployed' && r.hosts.length && !r.hosts.some((h) => h.status === 'deployed') && r.hosts.length) problems.push('status deployed but no host deployed');
  return problems;
}
