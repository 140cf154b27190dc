import type { AnnotationInput, AnnotationLevel } from '../github/annotations.js';
import { workspacePath } from '../github/annotations.js';
import { type Finding, SEVERITY_RANK, type Severity } from './finding.js';

const LEVEL: Record<Severity, AnnotationLevel> = {
  critical: 'error',
  high: 'error',
  error: 'error',
  medium: 'warning',
  warning: 'warning',
  low: 'notice',
  unknown: 'notice',
  note: 'notice',
};

export function annotationLevel(severity: Severity): AnnotationLevel {
  return LEVEL[severity];
}

/** A finding as an annotation on the repository file, path relative to the workspace. */
export function toAnnotation(f: Finding, workingDirectory = '.'): AnnotationInput {
  const title = f.title ?? f.rule;
  const where = !f.file && f.target ? ` [${f.target}]` : '';
  return {
    level: LEVEL[f.severity],
    rank: SEVERITY_RANK[f.severity],
    title: `${f.tool}: ${title}`.slice(0, 200),
    message: `${f.message}${where}${f.url ? `\n${f.url}` : ''}`,
    file: f.file ? workspacePath(f.file, undefined, workingDirectory) : undefined,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
  };
}

/** Findings with workspace-relative paths (for SARIF and summaries). */
export function relativeFindings(findings: Finding[], workingDirectory = '.'): Finding[] {
  return findings.map((f) => (f.file ? { ...f, file: workspacePath(f.file, undefined, workingDirectory) } : f));
}
