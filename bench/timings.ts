// The `timings` output of a deploy or rollback, and what the bench derives from it.
import { parseDuration } from '../src/config/duration.js';
import type { ActionResult } from '../testkit/run-action.js';

export interface Timings {
  'pull-ms': number;
  'boot-ms'?: number;
  'healthy-ms': number;
  'migrate-ms': number;
  'phases-ms'?: Record<string, number>;
}

export function parseTimings(r: ActionResult): Timings | undefined {
  try {
    const t = JSON.parse(r.outputs.timings ?? '') as Partial<Timings>;
    if (typeof t['pull-ms'] === 'number' && typeof t['healthy-ms'] === 'number' && typeof t['migrate-ms'] === 'number') return t as Timings;
  } catch {
    // no timings output: overhead is shown as '-'
  }
  return undefined;
}

/** The config's drain as the engine waits it (at least 1 s), from the config file's text. */
export function configDrainMs(configYaml: string): number {
  return Math.max(1000, parseDuration(/^\s*drain:\s*(\S+)/m.exec(configYaml)?.[1] ?? '') ?? 5000);
}

/** Wall time of the run - (pull + boot-to-healthy + migrate): the overhead as the bench first measured it. */
export function overheadMs(wallMs: number, t: Timings | undefined): number {
  return t ? wallMs - (t['pull-ms'] + t['healthy-ms'] + t['migrate-ms']) : NaN;
}

export const batchCount = (t: Timings): number => Object.keys(t['phases-ms'] ?? {}).filter((k) => /^batch-\d+$/.test(k)).length;

/**
 * Ours per batch: what is left of the wall time once the physical limit is taken away (pull,
 * migration, per batch compose starting the new containers and their boot to healthy, one drain
 * when something was retired), divided by the batches. The nginx reload counts as ours.
 */
export function oursPerBatchMs(wallMs: number, t: Timings | undefined, drainMs: number): number {
  if (!t || t['boot-ms'] === undefined || !batchCount(t)) return NaN;
  const drained = (t['phases-ms']?.retire ?? 0) > 0 ? drainMs : 0;
  return (wallMs - t['pull-ms'] - t['migrate-ms'] - t['boot-ms'] - t['healthy-ms'] - drained) / batchCount(t);
}
