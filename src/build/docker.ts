// The edge where docker runs: one function that spawns it, streams or captures its output, and
// scrubs secrets from anything it relays.
import { spawn } from 'node:child_process';
import * as core from '@actions/core';
import { untrusted } from '../github/untrusted.js';

export interface DockerRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface DockerOptions {
  env: NodeJS.ProcessEnv;
  /** Written to stdin, then closed (the password of `docker login --password-stdin`). */
  input?: string;
  /** Echo each output line to the log as it comes. */
  stream?: boolean;
  secrets?: string[];
}

export type DockerExecutor = (args: string[], options: DockerOptions) => Promise<DockerRun>;

export function scrub(text: string, secrets: string[] = []): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

export const runDocker: DockerExecutor = (args, options) =>
  new Promise((resolve, reject) => {
    const child = spawn('docker', args, { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // Streamed output is written a whole line at a time, so a line the build prints (a Dockerfile's
    // RUN can print anything) is checked as the runner will read it.
    let partial = '';
    const relay = (chunk: Buffer, sink: 'out' | 'err') => {
      const text = chunk.toString();
      if (sink === 'out') stdout += text;
      else stderr += text;
      if (!options.stream) return;
      const lines = (partial + text).split(/(?<=\n)/);
      partial = lines.at(-1)?.endsWith('\n') ? '' : (lines.pop() ?? '');
      if (lines.length) process.stdout.write(untrusted(scrub(lines.join(''), options.secrets)));
    };
    child.stdout.on('data', (d: Buffer) => relay(d, 'out'));
    child.stderr.on('data', (d: Buffer) => relay(d, 'err'));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new Error('docker is not installed or not on PATH') : err),
    );
    child.on('close', (code) => {
      if (options.stream && partial) process.stdout.write(`${untrusted(scrub(partial, options.secrets))}\n`);
      resolve({ code: code ?? 1, stdout: scrub(stdout, options.secrets), stderr: scrub(stderr, options.secrets) });
    });
    child.stdin.end(options.input ?? '');
  });

/** The command as it is logged: argv joined for reading, never for a shell. */
export function showCommand(args: string[]): string {
  return ['docker', ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export function logCommand(args: string[]): void {
  core.info(untrusted(`[command]${showCommand(args)}`));
}
