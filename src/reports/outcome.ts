import * as core from '@actions/core';
import { UserError, errorMessage } from '../errors.js';
import type { Gate } from './summaries.js';

/** A tool whose report could not be read, or that could not be installed or run. */
export interface ToolFailure {
  tool: string;
  message: string;
}

/**
 * Gathers each tool's failure instead of stopping at the first, so the tools that worked still give
 * their outputs, SARIF and summary; the step then fails naming every tool that did not.
 */
export class ToolOutcomes {
  readonly failures: ToolFailure[] = [];

  async attempt<T>(tool: string, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (err) {
      // A bug in one tool's path must not lose the others' results either; its stack goes to debug.
      if (!(err instanceof UserError)) core.debug(err instanceof Error && err.stack ? err.stack : String(err));
      this.failures.push({ tool, message: err instanceof UserError ? err.message : `${tool}: unexpected error: ${errorMessage(err)}` });
      return undefined;
    }
  }

  failed(tool: string): boolean {
    return this.failures.some((f) => f.tool === tool);
  }
}

/** The step's one failure line: the gate's reasons and every tool that failed; undefined when it passes. */
export function failureLine(action: string, gate: Gate, failures: ToolFailure[], suffix = ''): string | undefined {
  if (!gate.failed && failures.length === 0) return undefined;
  if (!gate.failed && failures.length === 1) return failures[0]!.message;
  const parts = [...(gate.failed ? gate.reasons : []), ...failures.map((f) => f.message)];
  return `${action} failed: ${parts.join('; ')}${gate.failed ? suffix : ''}`;
}
