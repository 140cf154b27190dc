import { UserError } from '../errors.js';

/** A report file that is not what its input says it is: names the file and what is wrong with it. */
export class ReportError extends UserError {
  override readonly name: string = 'ReportError';
  constructor(
    readonly source: string,
    readonly format: string,
    reason: string,
  ) {
    super(`${source}: not a valid ${format} report: ${reason}`, { file: source });
  }
}

/** JSON.parse with an error that names the file and says where it broke (truncated files end early). */
export function parseJson(text: string, source: string, format: string): unknown {
  if (text.trim() === '') throw new ReportError(source, format, 'the file is empty');
  try {
    return JSON.parse(stripBom(text));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(reason);
    const nearEnd = at !== null && Number(at[1]) >= text.trimEnd().length - 2;
    const truncated = nearEnd || /Unexpected end|Unterminated/i.test(reason) ? ' (the file looks truncated)' : '';
    throw new ReportError(source, format, `${reason}${truncated}`);
  }
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function int(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

/** A 1-based position, or undefined for the 0/negative values tools use for "no position". */
export function position(value: unknown): number | undefined {
  const n = int(value);
  return n !== undefined && n > 0 ? n : undefined;
}
