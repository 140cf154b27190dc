import type { Script } from './shell.js';

/**
 * One remote step as data: the script, how to read what it prints, and what it prints when it
 * succeeds. The parser sits next to the builder that prints the markers; the sample is the answer of
 * the dry-run executor (so a dry run walks the same path as a real run).
 */
export interface Step<T> {
  label: string;
  script: Script;
  parse(stdout: string): T;
  sample: string;
  timeoutMs?: number;
}

/** A step that prints nothing we read: only its exit code counts. */
export function plainStep(label: string, script: Script, timeoutMs?: number): Step<void> {
  return { label, script, parse: () => undefined, sample: '', ...(timeoutMs ? { timeoutMs } : {}) };
}
