import type { Host } from '../config/types.js';
import { renderScript, type Script } from '../commands/shell.js';
import type { CommandResult, Executor, RunOptions } from './executor.js';

/**
 * Prints every script it is given (secrets redacted) and runs nothing; answers each with what the
 * script prints when it succeeds (the step's sample: canned facts for the inspection), so the engine
 * takes the same path as in a real run.
 */
export class DryRunExecutor implements Executor {
  readonly dryRun = true;
  constructor(private readonly print: (text: string) => void) {}
  async connect(host: Host): Promise<void> {
    this.print(`[dry-run] ${host.id}: ssh ${host.user}@${host.host} -p ${host.port} (one ControlMaster connection)`);
  }
  async run(host: Host, script: Script, options: RunOptions): Promise<CommandResult> {
    this.print(`[dry-run] ${host.id}: ${options.label}\n${renderScript(script, true).replace(/^/gm, '    ')}`);
    return { code: 0, stdout: options.sample ?? '', stderr: '' };
  }
  async close(): Promise<void> {}
}
