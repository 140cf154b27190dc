import * as core from '@actions/core';
import { isAbsolute, relative, sep } from 'node:path';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface AnnotationInput {
  level: AnnotationLevel;
  message: string;
  title?: string;
  file?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** Lower is shown first within a level (a severity rank). */
  rank?: number;
}

/** GitHub shows at most this many annotations of each level per step; the rest are dropped silently. */
export const STEP_ANNOTATION_LIMIT = 10;

export interface AnnotationLimits {
  error: number;
  warning: number;
  notice: number;
}

export interface EmittedAnnotations {
  emitted: Record<AnnotationLevel, number>;
  /** Distinct annotations not shown because of the limits (the summary should say so). */
  omitted: Record<AnnotationLevel, number>;
  duplicates: number;
}

/**
 * Picks what GitHub will actually show: duplicates removed, most severe first, at most `limits` per
 * level. `reserveErrors` keeps room for the step's own failure line (`core.setFailed` is an error too).
 */
export function selectAnnotations(
  inputs: Iterable<AnnotationInput>,
  options: { limits?: Partial<AnnotationLimits>; reserveErrors?: number } = {},
): { selected: AnnotationInput[]; omitted: Record<AnnotationLevel, number>; duplicates: number } {
  const limits: AnnotationLimits = { error: STEP_ANNOTATION_LIMIT, warning: STEP_ANNOTATION_LIMIT, notice: STEP_ANNOTATION_LIMIT, ...options.limits };
  limits.error = Math.max(0, limits.error - (options.reserveErrors ?? 0));
  const seen = new Set<string>();
  const unique: AnnotationInput[] = [];
  let duplicates = 0;
  for (const a of inputs) {
    const key = [a.level, a.file ?? '', a.line ?? '', a.column ?? '', a.title ?? '', a.message].join('\u0000');
    if (seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    unique.push(a);
  }
  const order: Record<AnnotationLevel, number> = { error: 0, warning: 1, notice: 2 };
  // Stable sort: equal ranks keep the tool's order (by file and line).
  unique.sort((a, b) => order[a.level] - order[b.level] || (a.rank ?? 0) - (b.rank ?? 0));
  const taken: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  const omitted: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  const selected: AnnotationInput[] = [];
  for (const a of unique) {
    if (taken[a.level] < limits[a.level]) {
      taken[a.level]++;
      selected.push(a);
    } else omitted[a.level]++;
  }
  return { selected, omitted, duplicates };
}

/** Emits the selected annotations as workflow commands (`::error file=...,line=...,col=...::`). */
export function emitAnnotations(inputs: Iterable<AnnotationInput>, options: Parameters<typeof selectAnnotations>[1] = {}): EmittedAnnotations {
  const { selected, omitted, duplicates } = selectAnnotations(inputs, options);
  const emitted: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  for (const a of selected) {
    const properties: core.AnnotationProperties = {};
    if (a.title) properties.title = a.title;
    if (a.file) {
      properties.file = a.file;
      if (a.line) {
        properties.startLine = a.line;
        if (a.endLine && a.endLine >= a.line) properties.endLine = a.endLine;
        // GitHub ignores columns on annotations spanning several lines.
        if (a.column && (!properties.endLine || properties.endLine === a.line)) {
          properties.startColumn = a.column;
          if (a.endColumn && a.endColumn >= a.column && (a.endLine ?? a.line) === a.line) properties.endColumn = a.endColumn;
        }
      }
    }
    const message = a.message.length > 4000 ? `${a.message.slice(0, 4000)}…` : a.message;
    if (a.level === 'error') core.error(message, properties);
    else if (a.level === 'warning') core.warning(message, properties);
    else core.notice(message, properties);
    emitted[a.level]++;
  }
  return { emitted, omitted, duplicates };
}

/**
 * A tool's path as GitHub wants it on an annotation: relative to the workspace with `/`. Paths
 * outside the workspace are returned as they are.
 */
export function workspacePath(file: string, workspace = process.env.GITHUB_WORKSPACE ?? process.cwd(), workingDirectory = '.'): string {
  const base = isAbsolute(workingDirectory) ? workingDirectory : `${workspace}${sep}${workingDirectory}`;
  const absolute = isAbsolute(file) ? file : `${base}${sep}${file}`;
  const rel = relative(workspace, absolute);
  if (rel.startsWith('..') || isAbsolute(rel)) return file;
  return rel.split(sep).join('/');
}
