import type { Host } from '../config/types.js';
import { inspectHostStep, lockStep, migrateStep, parseLock, pullStep, unlockStep } from '../commands/host.js';
import { releaseEnvFile, releaseOverrideScript } from '../commands/compose.js';
import { envFilesToPrune, removeEnvFilesScript, writeEnvFileScript } from '../commands/env-file.js';
import { hookStep, parseBackupName } from '../commands/hooks.js';
import { historyAndImagesStep, recordStep, releasesToPrune, removeImagesScript, type Release } from '../commands/releases.js';
import { plainStep } from '../commands/step.js';
import { UserError, errorMessage } from '../errors.js';
import { untrusted } from '../github/untrusted.js';
import { onHosts, type HostFailure } from '../remote/on-hosts.js';
import { finishHost, revertHost, switchHost, type HostChange } from './host-change.js';
import { checkHost, type HostState } from './host-state.js';
import { failureCount, lostHosts, rollbackReason, runResult, type HostRun } from './outcomes.js';
import { describePlan, plan, type Plan } from './plan.js';
import { releaseRecords, type RecordedEnding } from './records.js';
import { HostSession } from './session.js';
import { strategyFor } from './strategies/index.js';
import { project, stopOnceNginxLetGo, type HostWork } from './strategies/strategy.js';
import type { HookName } from '../config/types.js';
import type { ReleaseRef } from './host-state.js';
import type { HookOutcome, MigrationOutcome, RunRequest, RunResult } from './types.js';

/** nginx reloads asynchronously: nothing a reload took traffic from stops sooner than this. */
const MIN_DRAIN_MS = 1000;

type Sessions = ReadonlyMap<string, HostSession>;

/** Wall time of each phase of a run, in the order they ran (the `timings` output's `phases-ms`). */
class PhaseClock {
  readonly ms: Record<string, number> = {};
  async time<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await fn();
    } finally {
      this.ms[name] = (this.ms[name] ?? 0) + Date.now() - started;
    }
  }
}

/**
 * A deploy or rollback: connect, inspect, plan, lock, then the plan's steps. Never throws for a
 * remote failure: every way a run can end is a RunResult.
 */
export async function runDeployment(req: RunRequest): Promise<RunResult> {
  const startedAt = Date.now();
  const sessions: Sessions = new Map(req.env.hosts.map((h) => [h.id, new HostSession(h, req.executor, req.log)]));
  const clock = new PhaseClock();
  let planned: Plan | undefined;
  try {
    await clock.time('connect', () => req.log.group(`Connect to ${req.env.hosts.length} host(s)`, () => connectAll(req)));
    const states = await clock.time('inspect', () => req.log.group('Preflight: inspect every host', () => inspectAll(req, sessions)));
    if (req.kind === 'rollback' && req.version === 'list') return listResult(req, states, startedAt);
    planned = plan(req.config, req.env, { ...req, ...(req.releaseEnv ? { envSha256: req.releaseEnv.sha256 } : {}) }, states);
    const p = planned;
    await req.log.group(`Plan: ${p.kind} ${p.version}, ${p.batches.length} batch(es)`, async () => describePlan(p).forEach((line) => req.log.info(line)));
    return await whileLocked(req, sessions, clock, () => runPlan(req, sessions, states, p, startedAt, clock));
  } catch (err) {
    return { status: 'failed', version: planned?.version ?? req.version, previousVersion: planned?.previousVersion ?? 'none', hosts: [], durationMs: Date.now() - startedAt, error: errorMessage(err), timings: { pullMs: 0, bootMs: 0, healthyMs: 0, migrateMs: 0, phasesMs: clock.ms } };
  } finally {
    await Promise.all(req.env.hosts.map((h) => req.executor.close(h).catch(() => undefined)));
  }
}

/** One error for every host a step failed on (the first one's message leads). */
function hostsFailed(failures: HostFailure[]): Error {
  const [first, ...rest] = failures;
  const message = errorMessage(first!.error);
  const more = rest.length ? ` (and ${rest.map((f) => errorMessage(f.error)).join('; ')})` : '';
  return new UserError(`${message}${more}`);
}

async function connectAll(req: RunRequest): Promise<void> {
  const { failures } = await onHosts(req.env.hosts, async (h) => {
    await req.executor.connect(h);
    req.log.info(`${h.id}: connected as ${h.user}, host key verified`);
  });
  if (failures.length) throw hostsFailed(failures);
}

async function inspectAll(req: RunRequest, sessions: Sessions): Promise<Map<string, HostState>> {
  const { results, failures } = await onHosts(req.env.hosts, async (host) => {
    const facts = await sessions.get(host.id)!.run(inspectHostStep(req.config.app, req.env));
    const state = checkHost(req.env, req.kind, host, facts);
    req.log.info(`${host.id}: docker ${facts.dockerVersion ?? '?'}, compose ${facts.compose ?? '?'}, serving ${state.current.version}, ${Math.round((facts.diskFreeKb ?? 0) / 1024)} MiB free`);
    return state;
  });
  if (failures.length) throw hostsFailed(failures);
  return results;
}

function listResult(req: RunRequest, states: Map<string, HostState>, startedAt: number): RunResult {
  const current = [...new Set([...states.values()].map((s) => s.current.version))].join(',') || 'none';
  const histories = Object.fromEntries([...states.values()].map((s) => [s.host.id, s.history]));
  return { status: 'deployed', version: current, previousVersion: current, hosts: [], durationMs: Date.now() - startedAt, timings: { pullMs: 0, healthyMs: 0, migrateMs: 0 }, histories };
}

/**
 * Takes the lock on every host (waiting for every attempt: none is still in flight when the locks
 * are released), runs `fn`, and releases every lock this run holds, whatever happened.
 */
async function whileLocked<T>(req: RunRequest, sessions: Sessions, clock: PhaseClock, fn: () => Promise<T>): Promise<T> {
  const { env, identity } = req;
  const info = { actor: identity.actor, 'run-url': identity.runUrl, version: req.version, action: req.kind, at: new Date().toISOString() };
  // told first: a post step after a kill releases every lock this run may have taken
  req.onLocked?.(env.hosts.map((h) => h.id));
  const { results, failures } = await clock.time('lock', () => onHosts(env.hosts, (h) => sessions.get(h.id)!.run(lockStep(env, identity.owner, info))));
  try {
    if (failures.length) throw hostsFailed(failures);
    const held = [...results].find(([, answer]) => !answer.locked);
    if (held) throw new UserError(`${held[0]}: another deploy holds the lock: ${holderText(held[1])}. Wait for it to finish; if that run is dead, remove ${env.appDir}/.parking-ci/lock on the host`);
    return await fn();
  } finally {
    const released = await clock.time('unlock', () => onHosts(env.hosts, (h) => sessions.get(h.id)!.run(unlockStep(env, identity.owner))));
    for (const f of released.failures) req.log.warning(`${f.host.id}: could not release the lock: ${errorMessage(f.error)}`);
    req.onLocked?.(released.failures.map((f) => f.host.id));
  }
}

function holderText(answer: ReturnType<typeof parseLock>): string {
  const raw = answer.locked ? '' : answer.holder;
  try {
    const h = JSON.parse(raw) as Record<string, string>;
    return `${h.actor ?? '?'} (${h.action ?? 'deploy'} of ${h.version ?? '?'} since ${h.at ?? '?'}, ${h['run-url'] ?? 'no run URL'})`;
  } catch {
    return raw;
  }
}

/** The plan's steps while every lock is held: images, migration, batches, then the way the run ends. */
async function runPlan(req: RunRequest, sessions: Sessions, states: Map<string, HostState>, planned: Plan, startedAt: number, clock: PhaseClock): Promise<RunResult> {
  const pullStarted = Date.now();
  const digests = await clock.time('pull', () => req.log.group(planned.pull ? `Pull ${planned.version} on every host` : 'Check the release images are on every host', () => pullAll(req, sessions, planned)));
  const p = withDigests(planned, digests);
  const works = hostWorks(req, sessions, states, p);
  const timings = { pullMs: Date.now() - pullStarted, bootMs: 0, healthyMs: 0, migrateMs: 0, phasesMs: clock.ms };
  const hooks: HookOutcome[] = [];
  const primary = works.get(p.hosts.find((h) => h.primary)!.host.id)!;
  const toRelease = primary.plan.to;
  // a failing pre-* hook ends the run before anything switched (like a failed migration)
  const stopBefore = async (what: string, migration?: MigrationOutcome): Promise<RunResult> => {
    const runs = new Map<string, HostRun>(p.hosts.map((h) => [h.host.id, { kind: 'unchanged' }]));
    // a deploy marks its version failed; a rollback leaves the history as it was (its target stays good)
    if (p.kind === 'deploy') await record(req, sessions, p, runs, 'migration-failed');
    return runResult(p, runs, { status: 'failed', ...(migration ? { migration } : {}), hooks, startedAt, timings, error: `${what} failed on ${primary.session.host.id}; no host was switched` });
  };
  if (!(await clock.time('hooks', () => runHook(req, primary, p, 'pre-deploy', toRelease, hooks)))) return stopBefore('the pre-deploy hook');
  if (p.migration && !(await clock.time('hooks', () => runHook(req, primary, p, 'pre-migrate', toRelease, hooks)))) return stopBefore('the pre-migrate hook (before the migration: the schema is unchanged)');
  const migration = p.migration ? await clock.time('migrate', () => migrate(req, works.get(p.migration!.host.id)!, p)) : undefined;
  timings.migrateMs = migration?.durationMs ?? 0;
  if (migration && !migration.ok) return stopBefore('migration', migration);
  const { runs, cancelled } = await runBatches(req, works, p, clock);
  timings.healthyMs = slowestPerBatch(p, runs, (c) => c.healthyMs);
  timings.bootMs = slowestPerBatch(p, runs, (c) => c.bootMs);
  const ending: RecordedEnding = cancelled ? 'cancelled' : failureCount(runs) > p.maxFailedHosts ? 'rolled-back' : 'deployed';
  if (ending === 'rolled-back') await clock.time('rollback', () => rollBack(req, works, runs));
  await clock.time('retire', () => retireAll(req, works, runs));
  const unrecorded = await clock.time('record', () => record(req, sessions, p, runs, ending));
  // a host whose history is not written yet keeps everything: its history does not name what serves
  if (ending === 'deployed') await clock.time('prune', () => prune(req, sessions, unrecorded));
  // post-* hooks: a failure is a warning; after a rollback the hook runs in what serves again
  if (ending === 'deployed') await clock.time('hooks', () => runHook(req, primary, p, p.kind === 'deploy' ? 'post-deploy' : 'post-rollback', toRelease, hooks));
  if (ending === 'rolled-back' && primary.plan.from.image) await clock.time('hooks', () => runHook(req, primary, p, 'post-rollback', primary.plan.from, hooks));
  const base = { startedAt, timings, hooks, ...(migration ? { migration } : {}) };
  if (ending === 'cancelled') return runResult(p, runs, { ...base, status: 'failed', error: 'the run was cancelled; hosts already switched keep the new version, the others the old one' });
  if (ending === 'rolled-back') return runResult(p, runs, { ...base, status: 'rolled-back', error: rollbackReason(p, runs) });
  const failed = failureCount(runs);
  // every host failed (within max-failed-hosts): nothing was deployed, whatever the limit allows
  if (failed === p.hosts.length) return runResult(p, runs, { ...base, status: 'failed', error: `every host failed; each keeps what it served: ${rollbackReason(p, runs).split(': ').slice(1).join(': ')}` });
  return runResult(p, runs, { ...base, status: 'deployed', ...(failed ? { error: `${failed} host(s) failed, within max-failed-hosts (${p.maxFailedHosts}); they keep what they served: see the table` } : {}) });
}

/** Images everywhere before anything changes (a rollback never needs the registry); each host's digest. */
async function pullAll(req: RunRequest, sessions: Sessions, p: Plan): Promise<Map<string, string | undefined>> {
  const registry = req.config.registry && req.registryPassword ? { ...req.config.registry, password: req.registryPassword } : undefined;
  const { results, failures } = await onHosts(req.env.hosts, async (host) => {
    const to = p.hosts.find((h) => h.host === host)!.to;
    // the release's environment file (deploy: written now, the same on every host; rollback: the one it kept), then the override naming it
    const envFile = p.pull && req.releaseEnv && to.envSha256 ? writeEnvFileScript(req.env, to.version, to.envSha256, req.releaseEnv.content) : [];
    const pulled = await sessions.get(host.id)!.run(pullStep(to.image, registry, p.pull, [...envFile, ...releaseOverrideScript(req.env, to)]));
    req.log.info(`${host.id}: ${to.image} ready${pulled.digest ? ` (${pulled.digest})` : ''}`);
    return pulled.digest ?? to.digest;
  });
  if (failures.length) throw hostsFailed(failures);
  return results;
}

/** The plan with the digest each host's pull reported (recorded in the history). */
function withDigests(p: Plan, digests: Map<string, string | undefined>): Plan {
  return { ...p, hosts: p.hosts.map((hp) => (digests.get(hp.host.id) ? { ...hp, to: { ...hp.to, digest: digests.get(hp.host.id)! } } : hp)) };
}

function hostWorks(req: RunRequest, sessions: Sessions, states: Map<string, HostState>, p: Plan): Map<string, HostWork> {
  const note = (version: string) => `${req.config.app} ${version} (${req.kind} by ${req.identity.actor})`;
  const drain = () => sleep(req, Math.max(req.env.drainMs, MIN_DRAIN_MS));
  return new Map(p.hosts.map((hp) => [hp.host.id, { session: sessions.get(hp.host.id)!, env: req.env, app: req.config.app, state: states.get(hp.host.id)!, plan: hp, note: note(hp.to.version), drain }]));
}

function sleep(req: RunRequest, ms: number): Promise<void> {
  return req.sleep ? req.sleep(ms) : new Promise((res) => setTimeout(res, ms));
}

/** Migrations once, with the new image, before any host switches. */
async function migrate(req: RunRequest, w: HostWork, p: Plan): Promise<MigrationOutcome> {
  const m = p.migration!;
  const started = Date.now();
  return req.log.group(`Migrate on ${m.host.id}: ${m.command}`, async () => {
    const r = await w.session.attempt(migrateStep(project(w, w.plan.to), m.command, m.timeoutMs)).catch((err: unknown) => ({ code: 255, stdout: '', stderr: errorMessage(err) }));
    const output = `${r.stdout}${r.stderr}`.trim().split('\n').slice(-40).join('\n');
    // the migration's output is the container's: it may not start a workflow command
    if (output) req.log.info(untrusted(output));
    return { host: m.host.id, ok: r.code === 0, durationMs: Date.now() - started, output };
  });
}

/**
 * One hook on the primary host: in a one-off container of `release` (its image and environment
 * file) or in a shell on the host. Its output goes to the log through untrusted(); false when it failed.
 */
async function runHook(req: RunRequest, w: HostWork, p: Plan, name: HookName, release: ReleaseRef, into: HookOutcome[]): Promise<boolean> {
  const hook = p.hooks.find((h) => h.name === name);
  if (!hook) return true;
  const started = Date.now();
  const envFile = releaseEnvFile(req.env, release);
  const post = name.startsWith('post-');
  const context = { version: name === 'post-rollback' && p.kind === 'deploy' ? p.previousVersion : p.version, previousVersion: name === 'post-rollback' && p.kind === 'deploy' ? p.version : p.previousVersion, hosts: req.env.hosts.map((h) => h.id), environment: req.env.name, ...(envFile ? { envFile } : {}) };
  return req.log.group(`Hook ${name} on ${hook.host.id} (in ${hook.in}): ${hook.command}`, async () => {
    const r = await w.session.attempt(hookStep(name, project(w, release), hook, context)).catch((err: unknown) => ({ code: 255, stdout: '', stderr: errorMessage(err) }));
    const output = `${r.stdout}${r.stderr}`.trim().split('\n').slice(-40).join('\n');
    // the hook's output is the app's: it may not start a workflow command
    if (output) req.log.info(untrusted(output));
    const ok = r.code === 0;
    if (!ok && post) req.log.warning(`${name} hook failed (exit ${r.code}) on ${hook.host.id}; the run goes on`);
    else if (!ok) req.log.info(`${name} hook failed (exit ${r.code}) on ${hook.host.id}`);
    const backup = parseBackupName(output);
    into.push({ name, host: hook.host.id, in: hook.in, ok, durationMs: Date.now() - started, output, ...(backup ? { backup } : {}) });
    return ok;
  });
}

/**
 * The batches in order, each host of a batch in parallel; stops after too many failures or a cancel.
 * A batch is done once its hosts serve the release; their workers are replaced while the next batch
 * starts (they take no traffic), and are done before the batch after it starts and before the run ends.
 */
async function runBatches(req: RunRequest, works: Map<string, HostWork>, p: Plan, clock: PhaseClock): Promise<{ runs: Map<string, HostRun>; cancelled: boolean }> {
  const strategy = strategyFor(p.strategy);
  const runs = new Map<string, HostRun>();
  let finishing: Promise<unknown> = Promise.resolve();
  const settle = (host: Host, started: number, change: HostChange) => {
    const w = works.get(host.id)!;
    runs.set(host.id, { kind: 'done', change, durationMs: Date.now() - started });
    w.session.info(`${change.kind === 'switched' ? `now serving ${w.plan.to.version}` : `FAILED (${change.error}); still serving ${w.plan.from.version}`} in ${Date.now() - started} ms`);
  };
  try {
    for (const [i, batch] of p.batches.entries()) {
      if (req.signal?.aborted) return { runs, cancelled: true };
      const previous = finishing;
      const finishes: Promise<void>[] = [];
      await clock.time(`batch-${i + 1}`, () => req.log.group(`Batch ${i + 1}/${p.batches.length}: ${batch.map((h) => h.id).join(', ')}`, async () => {
        await onHosts(batch, async (host) => {
          const w = works.get(host.id)!;
          const started = Date.now();
          const web = await switchHost(w, strategy, w.plan.to);
          if (web.change.kind !== 'switched') return settle(host, started, web.change);
          const switched = web.change;
          finishes.push(finishHost(w, strategy, w.plan.to, switched, web.containers).then((change) => settle(host, started, change)));
        });
        // the workers of the batch before this one are done before the next batch starts
        await previous;
      }));
      finishing = Promise.all(finishes);
      if (failureCount(runs) > p.maxFailedHosts) break;
    }
  } finally {
    // the last batch's workers: their own phase (the batches' phases end when their hosts serve)
    await clock.time('workers', () => finishing);
  }
  return { runs, cancelled: false };
}

/** A time of the switched hosts' containers (boot, healthy): the slowest host of each batch, added up. */
function slowestPerBatch(p: Plan, runs: Map<string, HostRun>, ms: (change: HostChange & { kind: 'switched' }) => number): number {
  const of = (h: Host) => {
    const r = runs.get(h.id);
    return r?.kind === 'done' && r.change.kind === 'switched' ? ms(r.change) : 0;
  };
  return p.batches.reduce((sum, batch) => sum + Math.max(0, ...batch.map(of)), 0);
}

/** Too many failures: every host switched in this run goes back to what it served. */
async function rollBack(req: RunRequest, works: Map<string, HostWork>, runs: Map<string, HostRun>): Promise<void> {
  const switched = [...runs.entries()].flatMap(([id, r]) => (r.kind === 'done' && r.change.kind === 'switched' ? [{ w: works.get(id)!, r, started: r.change.started }] : []));
  const strategy = strategyFor(req.strategy);
  await req.log.group(`Roll back ${switched.length} switched host(s)`, async () => {
    await onHosts(
      switched.map((s) => s.w.session.host),
      async (host) => {
        const { w, r, started } = switched.find((s) => s.w.session.host === host)!;
        const t = Date.now();
        try {
          // once more after a failure: every step of a revert can be run again
          await revertHost(w, strategy, started, true).catch((err: unknown) => (w.session.warning(`going back failed (${errorMessage(err)}); trying once more`), revertHost(w, strategy, started, true)));
          runs.set(host.id, { kind: 'reverted', durationMs: r.durationMs + Date.now() - t });
        } catch (err) {
          w.session.warning(`could not go back to ${w.plan.from.version}: ${errorMessage(err)}`);
          runs.set(host.id, { kind: 'revert-failed', error: errorMessage(err), durationMs: r.durationMs + Date.now() - t });
        }
      },
    );
  });
}

/** Stops what switched hosts left draining, each once its drain time has passed. */
async function retireAll(req: RunRequest, works: Map<string, HostWork>, runs: Map<string, HostRun>): Promise<void> {
  const drainMs = Math.max(req.env.drainMs, MIN_DRAIN_MS);
  const strategy = strategyFor(req.strategy);
  await Promise.all(
    [...runs.entries()].map(async ([id, r]) => {
      if (r.kind !== 'done' || r.change.kind !== 'switched') return;
      const w = works.get(id)!;
      const script = strategy.retire(w, r.change.started);
      // nothing to stop (an idle color kept running): nothing waits for the drain
      if (!script.length) return;
      const wait = r.change.switchedAt + drainMs - Date.now();
      if (wait > 0) await sleep(req, wait);
      await stopOnceNginxLetGo(w, r.change.started.old, 'drain and stop the old containers', script).catch((e: unknown) => w.session.warning(`stopping the old containers: ${errorMessage(e)}`));
    }),
  );
}

/** Appends each host's lines; hosts lost or not recorded are handed to the post step to reconcile (and returned). */
async function record(req: RunRequest, sessions: Sessions, p: Plan, runs: Map<string, HostRun>, ending: RecordedEnding): Promise<string[]> {
  const records = releaseRecords(p, runs, ending, req.identity, new Date().toISOString());
  const hosts = req.env.hosts.filter((h) => records.has(h.id));
  const { failures } = await onHosts(hosts, (h) => sessions.get(h.id)!.run(recordStep(req.env, records.get(h.id) as Release[])));
  for (const f of failures) req.log.warning(`${f.host.id}: could not record the release: ${errorMessage(f.error)}`);
  const reconcile = [...lostHosts(runs), ...failures.map((f) => f.host.id)];
  if (reconcile.length) req.onReconcile?.(reconcile);
  return reconcile;
}

/** Keeps the images of the last keep-releases deployed releases; never one in use; skips the hosts named. */
async function prune(req: RunRequest, sessions: Sessions, skip: readonly string[]): Promise<void> {
  await onHosts(req.env.hosts.filter((h) => !skip.includes(h.id)), async (h) => {
    const session = sessions.get(h.id)!;
    const { history, inUse, envFiles } = await session.run(historyAndImagesStep(req.env)).catch(() => ({ history: [], inUse: [], envFiles: [] as string[] }));
    // the environment files of every release kept (a rollback starts it with its own)
    const oldEnvFiles = history.length ? envFilesToPrune(history, req.env.keepReleases, envFiles) : [];
    if (oldEnvFiles.length) await session.run(plainStep('prune old release environment files', removeEnvFilesScript(req.env, oldEnvFiles))).catch(() => undefined);
    const images = releasesToPrune(history, req.env.keepReleases, inUse).filter((image) => image.startsWith(req.config.image));
    if (!images.length) return;
    await session.run(plainStep('prune old release images', removeImagesScript(images))).catch(() => undefined);
    session.info(`removed ${images.length} old release image(s): ${images.join(', ')}`);
  });
}
