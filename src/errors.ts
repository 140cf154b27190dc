/**
 * A failure the user can act on: its message is the one line the action fails with, so it says what
 * went wrong and what to do. Anything else that escapes is a bug and is reported with its stack in debug.
 */
export class UserError extends Error {
  override readonly name: string = 'UserError';
  constructor(
    message: string,
    /** Where the problem is in a file, for an annotation. */
    readonly location?: { file: string; line?: number; column?: number },
  ) {
    super(message);
  }
}

/** One problem in a file the user wrote, with its position. */
export interface Problem {
  path: string;
  message: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

/** The config file (or an input) is invalid; every problem is listed. */
export class ValidationError extends UserError {
  override readonly name: string = 'ValidationError';
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(
      problems.length === 1
        ? `${file}: ${formatProblem(problems[0]!)}`
        : `${file}: ${problems.length} problems, first: ${formatProblem(problems[0]!)}`,
    );
  }
}

export function formatProblem(p: Problem): string {
  const where = p.line !== undefined ? ` (line ${p.line}, column ${p.column ?? 1})` : '';
  return `${p.path ? `${p.path}: ` : ''}${p.message}${where}`;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Invisible or line-breaking characters that JSON.stringify leaves as they are. */
const INVISIBLE = /[\u0080-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/**
 * A value from outside as an error shows it: JSON-quoted with every control, invisible and
 * line-breaking character escaped (so it can neither break a log line nor hide), and short.
 */
export function quoted(value: string, max = 60): string {
  const short = value.length > max ? `${value.slice(0, max - 3)}...` : value;
  return JSON.stringify(short).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
