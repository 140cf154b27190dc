// Bundle size and start-up time per action: the logic of scripts/measure-startup.mjs (time from
// `node dist/<action>/index.js` to its first output byte, runner environment, no inputs), except that
// each run is stopped at its first line — with no inputs, lint/pytest/scan go on to fetch uv, which
// on a machine without network takes minutes and says nothing about start-up.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error -- a plain .mjs module without types: [{ name, dir }]
import { ACTIONS } from '../scripts/actions.mjs';
import { median } from './stats.js';

function runnerEnv(): Record<string, string> {
  const temp = mkdtempSync(join(tmpdir(), 'parking-ci-bench-startup-'));
  const files = Object.fromEntries(['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_EVENT_PATH'].map((k) => [k, join(temp, k.toLowerCase())]));
  for (const [k, f] of Object.entries(files)) writeFileSync(f, k === 'GITHUB_EVENT_PATH' ? '{}' : '');
  mkdirSync(join(temp, 'workspace'));
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    ...files,
    GITHUB_WORKSPACE: join(temp, 'workspace'),
    RUNNER_TEMP: temp,
    GITHUB_REPOSITORY: 'acme/parking',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_API_URL: 'http://127.0.0.1:9',
  };
}

/** Milliseconds from spawn to the first byte on stdout or stderr (or to exit), then the child is stopped. */
function firstLine(args: string[], env: Record<string, string>): Promise<{ ms: number; text: string }> {
  return new Promise((done) => {
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
    const child = spawn(process.execPath, args, { cwd: env.GITHUB_WORKSPACE, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let first: number | undefined;
    let text = '';
    const mark = (data: Buffer) => {
      first ??= elapsed();
      text ||= data.toString().split('\n')[0] ?? '';
      child.kill('SIGKILL');
    };
    child.stdout.once('data', mark);
    child.stderr.once('data', mark);
    child.on('close', () => done({ ms: first ?? elapsed(), text }));
  });
}

const dirSize = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => statSync(join(dir, f)))
    .filter((s) => s.isFile())
    .reduce((n, s) => n + s.size, 0);

export interface StartupRow {
  bundle: string;
  bytes: number;
  medianMs: number;
  firstLine: string;
}

export async function measureStartup(root: string, runs: number): Promise<StartupRow[]> {
  const env = runnerEnv();
  const measure = async (args: string[]) => {
    const samples: { ms: number; text: string }[] = [];
    for (let i = 0; i < runs; i++) samples.push(await firstLine(args, env));
    return { medianMs: median(samples.map((s) => s.ms)), firstLine: samples[0]!.text };
  };
  const rows: StartupRow[] = [{ bundle: "node -e ''", bytes: 0, ...(await measure(['-e', ''])) }];
  for (const { name } of ACTIONS as { name: string }[]) {
    rows.push({ bundle: `dist/${name}/`, bytes: dirSize(join(root, 'dist', name)), ...(await measure([join(root, 'dist', name, 'index.js')])) });
  }
  return rows;
}
