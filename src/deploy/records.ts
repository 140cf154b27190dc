import type { Release } from '../commands/releases.js';
import type { ReleaseRef } from './host-state.js';
import type { HostRun } from './outcomes.js';
import type { HostPlan, Plan } from './plan.js';
import type { RunIdentity, RunKind } from './types.js';

/** How the run ended, for what each host's history records. */
export type RecordedEnding = 'migration-failed' | 'rolled-back' | 'deployed' | 'cancelled';

/**
 * The lines each host's `releases.jsonl` gets (pure): after the run the newest `deployed` line of
 * every host names what it serves. A host that could not be put back gets none: the post step
 * reconciles it with what it really serves.
 */
export function releaseRecords(plan: Plan, runs: ReadonlyMap<string, HostRun>, ending: RecordedEnding, who: RunIdentity, at: string): Map<string, Release[]> {
  const line = (ref: ReleaseRef, status: Release['status'], color?: 'blue' | 'green'): Release => releaseLine(ref, status, plan.kind, who, at, color);
  const records = new Map<string, Release[]>();
  for (const p of plan.hosts) {
    const run = runs.get(p.host.id) ?? { kind: 'skipped' };
    const lines = hostLines(p, run, ending, plan.kind, line);
    if (lines.length) records.set(p.host.id, lines);
  }
  return records;
}

type Line = (ref: ReleaseRef, status: Release['status'], color?: 'blue' | 'green') => Release;

function hostLines(p: HostPlan, run: HostRun, ending: RecordedEnding, kind: RunKind, line: Line): Release[] {
  if (run.kind === 'revert-failed' || (run.kind === 'done' && run.change.kind === 'failed' && run.change.lost)) return [];
  // the first run on a host records what it found running, so its history names what serves and
  // `rollback` can go back to it
  const adopt = p.adopt && p.from.image ? [{ ...line(p.from, 'deployed'), action: 'adopt' as const }] : [];
  return [...adopt, ...runLines(p, run, ending, kind, line)];
}

function runLines(p: HostPlan, run: HostRun, ending: RecordedEnding, kind: RunKind, line: Line): Release[] {
  if (ending === 'migration-failed') return [line(p.to, 'failed')];
  const failed = run.kind === 'done' && run.change.kind !== 'switched';
  if (ending === 'rolled-back') return [line(p.to, failed ? 'failed' : 'rolled-back')];
  if (run.kind !== 'done' || run.change.kind !== 'switched') return [];
  const release = line(p.to, 'deployed', run.change.color);
  // a rollback marks the release it leaves, so `previous` never walks back into it
  return kind === 'rollback' ? [line(p.from, 'rolled-back'), release] : [release];
}

export function releaseLine(ref: ReleaseRef, status: Release['status'], action: Release['action'], who: RunIdentity, at: string, color?: 'blue' | 'green'): Release {
  return {
    ...(color ? { color } : {}),
    version: ref.version,
    image: ref.image,
    digest: ref.digest ?? '',
    ...(ref.envSha256 ? { 'env-sha256': ref.envSha256 } : {}),
    status,
    at,
    'git-sha': who.gitSha,
    actor: who.actor,
    'run-url': who.runUrl,
    action,
  };
}
