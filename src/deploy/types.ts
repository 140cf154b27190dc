import type { Config, Environment, HookName, Host, Strategy } from '../config/types.js';
import type { ReleaseEnv } from './release-env.js';
import type { HealthResult } from '../commands/health.js';
import type { Release } from '../commands/releases.js';
import type { Executor } from '../remote/executor.js';

export interface Logger {
  info(line: string): void;
  warning(line: string): void;
  /** A line for the debug log (shown when the run has step debugging on): each step's time. */
  debug?(line: string): void;
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

export type RunKind = 'deploy' | 'rollback';

export interface RunRequest {
  kind: RunKind;
  config: Config;
  env: Environment;
  strategy: Strategy;
  /** deploy: the version to deploy. rollback: `previous`, `list` or a version from the history. */
  version: string;
  registryPassword?: string;
  /** deploy: the release's environment file (config env.clear + the listed secrets); none without `env`. */
  releaseEnv?: ReleaseEnv;
  identity: RunIdentity;
  executor: Executor;
  log: Logger;
  /** Aborted when the run is cancelled: no new batch starts; what runs finishes consistently. */
  signal?: AbortSignal;
  /**
   * Hosts the run may hold the lock on, told before the lock is taken (so a post step after a kill
   * releases every lock this run could have taken), and `[]` once released.
   */
  onLocked?: (hostIds: string[]) => void;
  /** Waits out the drain (a test passes one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
  /** Hosts whose history may not match what they serve (lost mid-step, record failed): the post step reconciles them. */
  onReconcile?: (hostIds: string[]) => void;
}

export type HostStatus = 'deployed' | 'rolled-back' | 'failed' | 'unchanged' | 'skipped';

export interface HostOutcome {
  readonly host: Host;
  readonly status: HostStatus;
  readonly from: string;
  readonly to: string;
  readonly durationMs: number;
  readonly error?: string;
  readonly health?: HealthResult;
  readonly color?: 'blue' | 'green';
  /** The host could not be put back after a failed step: what it serves is unknown until reconciled. */
  readonly lost?: boolean;
}

export interface MigrationOutcome {
  readonly host: string;
  readonly ok: boolean;
  readonly durationMs: number;
  readonly output: string;
}

export interface HookOutcome {
  readonly name: HookName;
  readonly host: string;
  readonly in: 'image' | 'host';
  readonly ok: boolean;
  readonly durationMs: number;
  /** The last lines it printed (secrets redacted where shown). */
  readonly output: string;
  /** What the hook said it made, from a `backup: NAME` line. */
  readonly backup?: string;
}

/** What a deploy or rollback came to: built once, at the end, from the hosts' outcomes. */
export interface RunResult {
  readonly status: 'deployed' | 'rolled-back' | 'failed';
  readonly version: string;
  readonly previousVersion: string;
  readonly hosts: readonly HostOutcome[];
  readonly migration?: MigrationOutcome;
  /** The hooks that ran, in order. */
  readonly hooks?: readonly HookOutcome[];
  readonly durationMs: number;
  /** The one line the action fails with. */
  readonly error?: string;
  /** What the containers themselves needed, for the overhead figure of the benchmark. */
  readonly timings: { pullMs: number; bootMs?: number; healthyMs: number; migrateMs: number; phasesMs?: Record<string, number> };
  /** Release history per host (rollback `to: list`). */
  readonly histories?: Record<string, Release[]>;
}
