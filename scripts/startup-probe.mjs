// How start-up is measured, shared by scripts/measure-startup.mjs and the bench: the runner's
// environment without inputs, and the time from spawning `node <args>` to its first output byte.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The runner's environment, minus any input: every action stops at its first required input. */
export function runnerEnv() {
  const temp = mkdtempSync(join(tmpdir(), 'parking-ci-startup-'));
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

/**
 * Milliseconds from spawn to the first byte on stdout or stderr (to exit when it prints nothing), and
 * that line. The child is stopped there: with no inputs, lint/pytest/scan would go on to fetch uv,
 * which says nothing about start-up.
 */
export function firstLine(args, env) {
  return new Promise((done) => {
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
    const child = spawn(process.execPath, args, { cwd: env.GITHUB_WORKSPACE, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let first;
    let text = '';
    const mark = (data) => {
      first ??= elapsed();
      text ||= data.toString().split('\n')[0] ?? '';
      child.kill('SIGKILL');
    };
    child.stdout.once('data', mark);
    child.stderr.once('data', mark);
    child.on('close', () => done({ ms: first ?? elapsed(), text }));
  });
}

/** Bytes of every file below a directory (a bundle with its assets and licences). */
export function dirSize(dir) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => statSync(join(dir, f)))
    .filter((s) => s.isFile())
    .reduce((n, s) => n + s.size, 0);
}
