import type { Host } from '../config/types.js';
import type { Script } from '../commands/shell.js';

/** What one remote command came to. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Kill the remote command after this long (the step then fails). */
  timeoutMs?: number;
  /** What the step is, for logs: "pull v2", "health check". */
  label: string;
  /** What the script prints when it succeeds: the dry-run executor answers with it. */
  sample?: string;
}

/** Runs scripts on hosts. The SSH executor runs them; the dry-run executor prints them. */
export interface Executor {
  readonly dryRun: boolean;
  connect(host: Host): Promise<void>;
  run(host: Host, script: Script, options: RunOptions): Promise<CommandResult>;
  close(host: Host): Promise<void>;
}

/** A remote step failed: names the host and the step, and carries what the command printed. */
export class RemoteError extends Error {
  override readonly name = 'RemoteError';
  constructor(
    readonly host: Host,
    readonly step: string,
    readonly result: CommandResult,
    detail?: string,
  ) {
    super(`${host.id}: ${step} failed (exit ${result.code})${detail ? `: ${detail}` : lastLine(result) ? `: ${lastLine(result)}` : ''}`);
  }
}

function lastLine(r: CommandResult): string {
  const lines = (r.stderr.trim() || r.stdout.trim()).split('\n').filter((l) => !l.startsWith('+ '));
  return (lines.at(-1) ?? '').slice(0, 300);
}
