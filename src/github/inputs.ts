import * as core from '@actions/core';
import { z } from 'zod';
import { UserError, quoted } from '../errors.js';
import { formatDuration, parseDuration } from '../config/duration.js';

/** Node's timers fire after 1 ms for anything above 2^31-1 ms; no duration input may come near that. */
export const MAX_DURATION_MS = 24 * 3_600_000;

/** An input as the runner gives it, trimmed; undefined when empty. */
export function optionalInput(name: string): string | undefined {
  const value = core.getInput(name).trim();
  return value === '' ? undefined : value;
}

export function requiredInput(name: string, hint = ''): string {
  const value = optionalInput(name);
  if (value === undefined) throw new UserError(`input "${name}" is required${hint ? `: ${hint}` : ''}`);
  return value;
}

/** A secret input: masked in every later log line before anything else happens. */
export function secretInput(name: string): string | undefined {
  const value = core.getInput(name);
  if (!value.trim()) return undefined;
  core.setSecret(value);
  for (const line of value.split(/\r?\n/)) if (line.trim().length >= 6) core.setSecret(line.trim());
  return value;
}

export function booleanInput(name: string, fallback = false): boolean {
  const value = optionalInput(name);
  if (value === undefined) return fallback;
  if (/^(true|yes|on|1)$/i.test(value)) return true;
  if (/^(false|no|off|0)$/i.test(value)) return false;
  throw new UserError(`input "${name}": expected true or false, got ${quoted(value)}`);
}

/** A duration input, bounded: the error names the input and the allowed range. */
export function durationInput(name: string, fallbackMs: number, [minMs, maxMs]: readonly [number, number] = [0, MAX_DURATION_MS]): number {
  const value = optionalInput(name);
  if (value === undefined) return fallbackMs;
  const ms = parseDuration(value);
  const range = `from ${formatDuration(minMs)} to ${formatDuration(maxMs)}`;
  if (ms === undefined) throw new UserError(`input "${name}": expected a duration ${range} like "10s" or "2m", got ${quoted(value)}`);
  if (!(ms >= minMs && ms <= maxMs)) throw new UserError(`input "${name}": expected a duration ${range}, got ${quoted(value)}`);
  return ms;
}

/** Validates a non-secret input with a zod schema; the error names the input and the value. */
export function validInput<T>(name: string, schema: z.ZodType<T>, value: string | undefined = optionalInput(name)): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new UserError(`input "${name}": ${issue.message}, got ${quoted(value ?? '')}`);
  }
  return result.data;
}

/** A list input: one item per line or comma-separated. */
export function listInput(name: string): string[] {
  return (optionalInput(name) ?? '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
