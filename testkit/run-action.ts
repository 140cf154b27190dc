// Runs an action bundle exactly as the GitHub runner does: `node dist/<action>/index.js` with INPUT_*
// variables (names upper-cased, hyphens kept), GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY
// files, an event payload, a workspace and RUNNER_TEMP. Returns what a workflow would see.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  properties: Record<string, string>;
}

export interface ActionResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  /** Everything the run produced, for secret-leak checks. */
  everything: string;
  durationMs: number;
  /** The runner-side directories, so a post step can run with the same state. */
  dirs: RunnerDirs;
}

export interface RunnerDirs {
  temp: string;
  workspace: string;
  files: { output: string; state: string; summary: string; env: string; path: string; event: string };
}

export interface RunOptions {
  inputs?: Record<string, string | undefined>;
  /** Extra environment variables (GITHUB_API_URL, DOCKER_HOST, ...). */
  env?: Record<string, string | undefined>;
  /** The event payload (written to GITHUB_EVENT_PATH). */
  event?: unknown;
  eventName?: string;
  /** The workspace (GITHUB_WORKSPACE); a fresh temp directory by default. */
  workspace?: string;
  /** State saved by the main step, to run the `post` step. */
  state?: Record<string, string>;
  /** Reuse the runner directories of an earlier run (the post step of the same job). */
  dirs?: RunnerDirs;
  timeoutMs?: number;
  /** Called with the child once started (to kill it mid-run, say). */
  onStart?: (child: import('node:child_process').ChildProcess) => void;
  /** Which bundle: defaults to dist/<action>/index.js. */
  bundle?: string;
}

export function newRunnerDirs(workspace?: string): RunnerDirs {
  const temp = mkdtempSync(join(tmpdir(), 'parking-ci-runner-'));
  const files = {
    output: join(temp, 'github_output'),
    state: join(temp, 'github_state'),
    summary: join(temp, 'step_summary.md'),
    env: join(temp, 'github_env'),
    path: join(temp, 'github_path'),
    event: join(temp, 'event.json'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  return { temp, workspace: workspace ?? mkdtempSync(join(tmpdir(), 'parking-ci-workspace-')), files };
}

export async function runAction(action: string, options: RunOptions = {}): Promise<ActionResult> {
  const dirs = options.dirs ?? newRunnerDirs(options.workspace);
  const bundle = options.bundle ?? join(ROOT, 'dist', action, 'index.js');
  // Each step gets fresh output/summary files, as on the runner.
  writeFileSync(dirs.files.output, '');
  writeFileSync(dirs.files.summary, '');
  writeFileSync(dirs.files.state, '');
  writeFileSync(dirs.files.event, JSON.stringify(options.event ?? {}));

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: dirs.files.output,
    GITHUB_STATE: dirs.files.state,
    GITHUB_STEP_SUMMARY: dirs.files.summary,
    GITHUB_ENV: dirs.files.env,
    GITHUB_PATH: dirs.files.path,
    GITHUB_EVENT_PATH: dirs.files.event,
    GITHUB_EVENT_NAME: options.eventName ?? 'push',
    GITHUB_WORKSPACE: dirs.workspace,
    RUNNER_TEMP: dirs.temp,
    RUNNER_OS: 'Linux',
    GITHUB_REPOSITORY: 'acme/parking',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_ACTOR: 'octocat',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'pipeline',
    GITHUB_JOB: 'deploy',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'http://127.0.0.1:9', // nothing listens: the API is unreachable unless a test stands one in
  };
  for (const [k, v] of Object.entries(options.state ?? {})) env[`STATE_${k}`] = v;
  for (const [k, v] of Object.entries(options.inputs ?? {})) if (v !== undefined) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }

  const started = Date.now();
  const child = spawn(process.execPath, [bundle], { cwd: dirs.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  options.onStart?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 10 * 60_000);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res) => child.on('close', (c, s) => res([c, s])));
  clearTimeout(timer);

  const outputs = parseFileCommands(read(dirs.files.output));
  const state = { ...(options.state ?? {}), ...parseFileCommands(read(dirs.files.state)) };
  const summary = read(dirs.files.summary);
  return {
    exitCode,
    signal,
    stdout,
    stderr,
    outputs,
    state,
    summary,
    annotations: parseAnnotations(stdout),
    everything: [stdout, stderr, summary, read(dirs.files.output), read(dirs.files.state), read(dirs.files.env)].join('\n'),
    durationMs: Date.now() - started,
    dirs,
  };
}

/** Runs the action's `post` step with the state its main step saved, in the same runner directories. */
export function runPost(action: string, main: ActionResult, options: RunOptions = {}): Promise<ActionResult> {
  return runAction(action, { ...options, dirs: main.dirs, state: main.state });
}

function read(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** Parses `name<<DELIM\nvalue\nDELIM` and `name=value` lines of GITHUB_OUTPUT / GITHUB_STATE. */
export function parseFileCommands(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
      result[name!] = value.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      result[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return result;
}

const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) => unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',');

/** `::error file=a.py,line=3,col=5::message` workflow commands in stdout. */
export function parseAnnotations(stdout: string): Annotation[] {
  const annotations: Annotation[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const part of (m[2] ?? '').split(',').filter(Boolean)) {
      const at = part.indexOf('=');
      properties[part.slice(0, at)] = unescapeProperty(part.slice(at + 1));
    }
    annotations.push({ level: m[1] as Annotation['level'], message: unescapeData(m[3]!), properties });
  }
  return annotations;
}
