import * as core from '@actions/core';

// Values that must never be printed: the runner masks them in the job log once told (core.setSecret);
// `redact` does the same for text we write elsewhere (the step summary) or when no runner reads the log.
const masked = new Set<string>();

/** Masks a secret value (and, for a multi-line value, each of its lines) before anything is logged. */
export function maskValue(value: string): void {
  const parts = new Set([value, ...value.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length >= 4)]);
  // the JSON spelling too: a value with quotes or line breaks looks different inside JSON text
  parts.add(JSON.stringify(value).slice(1, -1));
  for (const part of parts) {
    if (!part.trim() || masked.has(part)) continue;
    masked.add(part);
    core.setSecret(part);
  }
}

/** The text with every masked value replaced by `***` (the longest first, so no part of one survives). */
export function redact(text: string): string {
  if (!masked.size || !text) return text;
  let out = text;
  for (const value of [...masked].sort((a, b) => b.length - a.length)) if (out.includes(value)) out = out.split(value).join('***');
  return out;
}
