import * as core from '@actions/core';
import { getExecOutput } from '@actions/exec';
import { UserError } from '../errors.js';
import { untrusted } from '../github/untrusted.js';
import type { ToolCommand } from './commands.js';

export interface ToolOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool, capturing its output (tools exit non-zero on findings: the caller judges the code). */
export async function runTool(argv: ToolCommand, cwd: string): Promise<ToolOutput> {
  core.info(untrusted(`$ ${argv.join(' ')}`));
  try {
    const { exitCode, stdout, stderr } = await getExecOutput(argv[0], argv.slice(1), { cwd, ignoreReturnCode: true, silent: true });
    return { exitCode, stdout, stderr };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new UserError(`could not start ${argv[0]}: ${message}. Install it first, or give the action a report file instead.`);
  }
}

/** The last lines of a tool's output, for an error message. */
export function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
