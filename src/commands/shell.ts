// Commands are data: builders return argv arrays; this module is the only place that turns them into
// remote shell text. Every value passes through `quote`, so user data never reaches a shell unquoted.

/** A value that must not appear in logs (registry password...). */
export interface Secret {
  secret: string;
}
/** Shell syntax we write ourselves (operators, redirections, `$(...)`); never user data. */
export interface Raw {
  raw: string;
}
export type Arg = string | Secret | Raw;
export type Argv = Arg[];

export const raw = (text: string): Raw => ({ raw: text });
export const secret = (value: string): Secret => ({ secret: value });

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** POSIX single-quoting: the one quoting function of the suite. */
export function quote(value: string): string {
  if (value === '') return "''";
  if (SAFE.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function renderArg(arg: Arg, redact: boolean): string {
  if (typeof arg === 'string') return quote(arg);
  if ('raw' in arg) return arg.raw;
  return redact ? '[redacted]' : quote(arg.secret);
}

/** argv -> one line of shell. */
export function render(argv: Argv, redact = false): string {
  return argv.map((a) => renderArg(a, redact)).join(' ');
}

/** Joins commands with `&&` (each rendered separately). */
export function and(...commands: Argv[]): Argv {
  return commands.flatMap((c, i) => (i ? [raw('&&'), ...c] : c));
}

/** `a | b` */
export function pipe(...commands: Argv[]): Argv {
  return commands.flatMap((c, i) => (i ? [raw('|'), ...c] : c));
}

/** A script: one command per line, run by `bash -euo pipefail`. */
export type Script = Argv[];

export function renderScript(script: Script, redact = false): string {
  return script.map((c) => render(c, redact)).join('\n');
}
