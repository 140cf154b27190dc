import type { Host } from '../config/types.js';
import { renderScript, type Script } from '../commands/shell.js';
import type { Executor, RunOptions, RunResult } from './executor.js';

/** Prints every script it is given (secrets redacted) and runs nothing. */
export class DryRunExecutor implements Executor {
  readonly dryRun = true;
  constructor(private readonly print: (text: string) => void) {}
  async connect(host: Host): Promise<void> {
    this.print(`[dry-run] ${host.id}: ssh ${host.user}@${host.host} -p ${host.port} (one ControlMaster connection)`);
  }
  async run(host: Host, script: Script, options: RunOptions): Promise<RunResult> {
    this.print(`[dry-run] ${host.id}: ${options.label}\n${renderScript(script, true).replace(/^/gm, '    ')}`);
    return { code: 0, stdout: '', stderr: '' };
  }
  async close(): Promise<void> {}
}
