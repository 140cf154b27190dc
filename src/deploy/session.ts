import type { Host } from '../config/types.js';
import type { Step } from '../commands/step.js';
import { RemoteError, type CommandResult, type Executor } from '../remote/executor.js';
import type { Logger } from './types.js';

const DEFAULT_STEP_TIMEOUT_MS = 15 * 60_000;

/** One host of a run: its executor and the log, so a step never needs the engine's state. */
export class HostSession {
  constructor(
    readonly host: Host,
    private readonly executor: Executor,
    private readonly log: Logger,
  ) {}

  /** Runs a step; a non-zero exit is a RemoteError naming the host and the step. */
  async run<T>(step: Step<T>): Promise<T> {
    const r = await this.attempt(step);
    if (r.code !== 0) throw new RemoteError(this.host, step.label, r);
    return step.parse(r.stdout);
  }

  /** Runs a step and returns what it printed, whatever its exit code (the migration's output). */
  async attempt<T>(step: Step<T>): Promise<CommandResult> {
    const started = Date.now();
    try {
      return await this.executor.run(this.host, step.script, { label: step.label, timeoutMs: step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS, sample: step.sample });
    } finally {
      this.log.debug?.(`${this.host.id}: ${step.label}: ${Date.now() - started} ms`);
    }
  }

  info(line: string): void {
    this.log.info(`${this.host.id}: ${line}`);
  }

  warning(line: string): void {
    this.log.warning(`${this.host.id}: ${line}`);
  }
}
