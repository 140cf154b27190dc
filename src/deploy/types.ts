import type { Config, Environment, Host, Strategy } from '../config/types.js';
import type { HealthResult } from '../commands/health.js';
import type { Executor } from '../remote/executor.js';

export interface Logger {
  info(line: string): void;
  warning(line: string): void;
  /** Runs `fn` inside a collapsible log group. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

/** Who and what a run is, recorded in the lock and the release history. */
export interface RunIdentity {
  actor: string;
  runUrl: string;
  gitSha: string;
  /** Unique per run attempt: owns the lock. */
  owner: string;
}

export interface RunRequest {
  kind: 'deploy' | 'rollback';
  config: Config;
  env: Environment;
  strategy: Strategy;
  /** deploy: the version to deploy. rollback: `previous` or a version from the history. */
  version: string;
  registryPassword?: string;
  identity: RunIdentity;
  executor: Executor;
  log: Logger;
  /** Aborted when the run is cancelled: no new host work starts; what runs finishes consistently. */
  signal?: AbortSignal;
  /** Hosts we hold the lock on (kept up to date for the post step). */
  onLocked?: (hostIds: string[]) => void;
}

export type HostStatus = 'deployed' | 'rolled-back' | 'failed' | 'unchanged' | 'skipped';

export interface HostOutcome {
  host: Host;
  status: HostStatus;
  from: string;
  to: string;
  durationMs: number;
  error?: string;
  health?: HealthResult;
  color?: 'blue' | 'green';
}

export interface MigrationOutcome {
  host: string;
  ok: boolean;
  durationMs: number;
  output: string;
}

export interface RunResult {
  status: 'deployed' | 'rolled-back' | 'failed';
  version: string;
  previousVersion: string;
  hosts: HostOutcome[];
  migration?: MigrationOutcome;
  durationMs: number;
  /** The one line the action fails with. */
  error?: string;
  /** What the containers themselves needed, for the overhead figure of the benchmark. */
  timings?: { pullMs: number; healthyMs: number; migrateMs: number };
  /** Release history per host (rollback `to: list`). */
  histories?: Record<string, import('../commands/releases.js').Release[]>;
}
