import type { HostChange } from './host-change.js';
import type { Plan, HostPlan } from './plan.js';
import type { HookOutcome, HostOutcome, MigrationOutcome, RunResult } from './types.js';

/** What a run did to one host, from first to last step (immutable once the run is over). */
export type HostRun =
  /** The run ended before this host's turn could come (a failed migration). */
  | { kind: 'unchanged' }
  /** A batch that never ran: the run was rolled back or cancelled first. */
  | { kind: 'skipped' }
  | { kind: 'done'; change: HostChange; durationMs: number }
  /** Switched, then put back by the auto-rollback. */
  | { kind: 'reverted'; durationMs: number }
  | { kind: 'revert-failed'; error: string; durationMs: number };

export function hostOutcome(p: HostPlan, run: HostRun): HostOutcome {
  const base = { host: p.host, from: p.from.version, to: p.to.version };
  switch (run.kind) {
    case 'unchanged':
    case 'skipped':
      return { ...base, status: run.kind, durationMs: 0 };
    case 'reverted':
      return { ...base, status: 'rolled-back', durationMs: run.durationMs };
    case 'revert-failed':
      return { ...base, status: 'failed', durationMs: run.durationMs, error: `rollback failed: ${run.error}`, lost: true };
    case 'done': {
      const c = run.change;
      if (c.kind === 'switched') return { ...base, status: 'deployed', durationMs: run.durationMs, ...(c.color ? { color: c.color } : {}) };
      if (c.kind === 'unhealthy') return { ...base, status: 'failed', durationMs: run.durationMs, error: c.error, health: c.health };
      return { ...base, status: 'failed', durationMs: run.durationMs, error: c.error, ...(c.lost ? { lost: true } : {}) };
    }
  }
}

/** Hosts whose new release failed (its check or a step) in this run. */
export function failureCount(runs: ReadonlyMap<string, HostRun>): number {
  return [...runs.values()].filter((r) => r.kind === 'done' && r.change.kind !== 'switched').length;
}

/** Hosts whose history may not name what they serve: the post step reconciles them. */
export function lostHosts(runs: ReadonlyMap<string, HostRun>): string[] {
  return [...runs.entries()].filter(([, r]) => r.kind === 'revert-failed' || (r.kind === 'done' && r.change.kind === 'failed' && r.change.lost)).map(([id]) => id);
}

export interface Ending {
  status: RunResult['status'];
  error?: string;
  migration?: MigrationOutcome;
  hooks?: readonly HookOutcome[];
  startedAt: number;
  timings: RunResult['timings'];
}

/** The run's result, built once from the plan and every host's run. */
export function runResult(plan: Plan, runs: ReadonlyMap<string, HostRun>, end: Ending): RunResult {
  return {
    status: end.status,
    version: plan.version,
    previousVersion: plan.previousVersion,
    hosts: plan.hosts.map((p) => hostOutcome(p, runs.get(p.host.id) ?? { kind: 'skipped' })),
    ...(end.migration ? { migration: end.migration } : {}),
    ...(end.hooks?.length ? { hooks: end.hooks } : {}),
    durationMs: Date.now() - end.startedAt,
    ...(end.error ? { error: end.error } : {}),
    timings: end.timings,
  };
}

/** Why a run rolled back, in one line naming each failed host. */
export function rollbackReason(plan: Plan, runs: ReadonlyMap<string, HostRun>): string {
  const bad = plan.hosts.map((p) => hostOutcome(p, runs.get(p.host.id) ?? { kind: 'skipped' })).filter((o) => o.status === 'failed');
  return `${failureCount(runs)} host(s) failed (max-failed-hosts is ${plan.maxFailedHosts}): ${bad.map((o) => `${o.host.id}: ${o.error}`).join('; ')}; every switched host went back to ${plan.previousVersion}`;
}
