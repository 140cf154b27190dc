import * as core from '@actions/core';
import { UserError, ValidationError, errorMessage, formatProblem } from '../errors.js';
import { redact } from './mask.js';

/**
 * Runs an action's main (and, when the runner calls the same bundle again as the `post` step, its
 * post) and turns any failure into one clear error line. Problems in a file become annotations at
 * their line and column.
 */
export async function runAction(main: () => Promise<void>, post?: () => Promise<void>): Promise<void> {
  const isPost = core.getState('isPost') === 'true';
  if (!isPost && post) core.saveState('isPost', 'true');
  try {
    await (isPost && post ? post() : main());
  } catch (err) {
    reportFailure(err);
  }
}

export function reportFailure(err: unknown): void {
  if (err instanceof ValidationError) {
    for (const p of err.problems) {
      core.error(formatProblem(p), {
        title: 'Invalid configuration',
        file: err.file,
        startLine: p.line,
        startColumn: p.column,
        endLine: p.endLine,
        endColumn: p.endColumn,
      });
    }
    core.setFailed(err.message);
    return;
  }
  if (err instanceof UserError) {
    // the message may carry remote output: no masked value in it
    core.setFailed(redact(err.message));
    return;
  }
  core.debug(err instanceof Error && err.stack ? err.stack : String(err));
  core.setFailed(`Unexpected error: ${redact(errorMessage(err))} (re-run with debug logging for the stack trace)`);
}
