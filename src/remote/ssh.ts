import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { Host } from '../config/types.js';
import { UserError } from '../errors.js';
import { renderScript, type Script } from '../commands/shell.js';
import type { Executor, RunOptions, RunResult } from './executor.js';

export interface SshOptions {
  /** Private key file (0600). */
  keyFile: string;
  /** known_hosts file with every host and jump host. */
  knownHostsFile: string;
  proxyJump?: string;
  /** Directory for control sockets and ssh logs (short path: sockets are limited to ~100 bytes). */
  workDir: string;
  connectTimeoutSec?: number;
  connectAttempts?: number;
  log?: (line: string) => void;
}

/** What failed when connecting, in terms of what the user does next. */
export class SshConnectError extends UserError {
  override readonly name = 'SshConnectError';
  constructor(
    readonly host: Host,
    readonly kind: 'host-key-changed' | 'host-key-unknown' | 'auth' | 'unreachable',
    message: string,
  ) {
    super(message);
  }
}

const PRELUDE = [
  'export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}"',
  'export LC_ALL=C',
  'umask 022',
].join('\n');

/**
 * The system ssh client with one ControlMaster connection per host for the whole run: the master is
 * opened (and the host key verified) once, every script then runs through it as a new session.
 */
export class SshExecutor implements Executor {
  readonly dryRun = false;
  private readonly sockets = new Map<string, string>();
  constructor(private readonly options: SshOptions) {}

  private socketFor(host: Host): string {
    let socket = this.sockets.get(host.id);
    if (!socket) {
      socket = join(this.options.workDir, `cm-${this.sockets.size}`);
      this.sockets.set(host.id, socket);
    }
    return socket;
  }

  private baseArgs(host: Host): string[] {
    const o = this.options;
    return [
      '-F', '/dev/null',
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', `UserKnownHostsFile=${o.knownHostsFile}`,
      '-o', 'GlobalKnownHostsFile=/dev/null',
      '-o', 'CheckHostIP=no',
      '-o', 'UpdateHostKeys=no',
      '-o', 'IdentitiesOnly=yes',
      '-o', 'IdentityAgent=none',
      '-o', 'PasswordAuthentication=no',
      '-o', 'KbdInteractiveAuthentication=no',
      '-o', `ConnectTimeout=${o.connectTimeoutSec ?? 15}`,
      '-o', 'ServerAliveInterval=15',
      '-o', 'ServerAliveCountMax=4',
      '-o', `ControlPath=${this.socketFor(host)}`,
      '-i', o.keyFile,
      '-p', String(host.port),
      '-l', host.user,
      ...(o.proxyJump ? ['-J', o.proxyJump] : []),
    ];
  }

  async connect(host: Host): Promise<void> {
    const attempts = this.options.connectAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      const log = join(this.options.workDir, `ssh-${this.sockets.size}-${attempt}.log`);
      const code = await spawnDetached('ssh', [
        ...this.baseArgs(host),
        '-o', 'ControlMaster=yes',
        '-o', 'ControlPersist=no',
        '-o', 'LogLevel=DEBUG1',
        '-E', log,
        '-f', '-N',
        '--', hostAddress(host),
      ]);
      if (code === 0) {
        rmSync(log, { force: true });
        return;
      }
      const error = classifyConnectFailure(host, existsSync(log) ? readFileSync(log, 'utf8') : '');
      rmSync(log, { force: true });
      if (error.kind !== 'unreachable' || attempt >= attempts) throw error;
      this.options.log?.(`${host.id}: connection failed (${error.message}); retrying (${attempt}/${attempts})`);
      await new Promise((r) => setTimeout(r, 1000 * 2 ** (attempt - 1)));
    }
  }

  run(host: Host, script: Script, options: RunOptions): Promise<RunResult> {
    const text = `${PRELUDE}\n${renderScript(script)}\n`;
    return new Promise((resolvePromise, reject) => {
      const child = spawn('ssh', [...this.baseArgs(host), '-o', 'ControlMaster=no', '-T', '--', hostAddress(host), 'bash -euo pipefail -s'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = options.timeoutMs ? setTimeout(() => ((timedOut = true), child.kill('SIGTERM')), options.timeoutMs) : undefined;
      child.on('error', reject);
      child.on('close', (code) => {
        if (timer) clearTimeout(timer);
        if (timedOut) stderr += `\n${options.label} timed out after ${Math.round((options.timeoutMs ?? 0) / 1000)}s`;
        resolvePromise({ code: timedOut ? 124 : (code ?? 255), stdout, stderr });
      });
      child.stdin.end(text);
    });
  }

  async close(host: Host): Promise<void> {
    if (!this.sockets.has(host.id)) return;
    await spawnDetached('ssh', [...this.baseArgs(host), '-O', 'exit', '--', hostAddress(host)]);
  }
}

function hostAddress(host: Host): string {
  return host.host.startsWith('[') ? host.host.slice(1, -1) : host.host;
}

/** Runs a command whose stdio we do not keep (ssh -f keeps a background master). Resolves the exit code. */
function spawnDetached(cmd: string, args: string[]): Promise<number> {
  return new Promise((res) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.on('error', () => res(255));
    child.on('exit', (code) => res(code ?? 255));
  });
}

/** Reads an ssh debug log and says, in one line, what went wrong and what to do. */
export function classifyConnectFailure(host: Host, log: string): SshConnectError {
  const presented = /Server host key: (\S+) (SHA256:[A-Za-z0-9+/=]+)/.exec(log);
  const fingerprint = presented ? `${presented[1]} ${presented[2]}` : 'unknown (no key was presented)';
  const fix = `get the right line with \`ssh-keyscan -p ${host.port} ${hostAddress(host)}\` from a trusted machine, check its fingerprint, and store it in the known-hosts secret`;
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/.test(log))
    return new SshConnectError(host, 'host-key-changed', `${host.id}: host key CHANGED — it presented ${fingerprint}, which does not match known-hosts; nothing was run. If the host was rebuilt, ${fix}; otherwise treat this as an attack`);
  if (/No .* host key is known for|Host key verification failed/.test(log))
    return new SshConnectError(host, 'host-key-unknown', `${host.id}: host key not in known-hosts (it presented ${fingerprint}); nothing was run. To trust it, ${fix}`);
  if (/Permission denied \(/.test(log))
    return new SshConnectError(host, 'auth', `${host.id}: ${host.user}@${hostAddress(host)} refused the key (Permission denied); check the ssh user and that the public key of ssh-private-key is in ~${host.user}/.ssh/authorized_keys`);
  const reason =
    /Connection refused/.exec(log)?.[0] ??
    /Connection timed out|Operation timed out|timed out/.exec(log)?.[0] ??
    /No route to host/.exec(log)?.[0] ??
    /Could not resolve hostname[^\n]*/.exec(log)?.[0] ??
    /Network is unreachable/.exec(log)?.[0] ??
    (log.trim().split('\n').filter((l) => !l.startsWith('debug')).at(-1) || 'no answer');
  return new SshConnectError(host, 'unreachable', `${host.id}: cannot connect to port ${host.port} (${reason.trim()})`);
}

/** Writes the key and known_hosts to 0600 files under RUNNER_TEMP; returns their paths. */
export function writeSshFiles(tempDir: string, privateKey: string, knownHosts: string): { dir: string; keyFile: string; knownHostsFile: string } {
  const dir = mkdtempSync(join(tempDir, 'pci-'));
  const keyFile = join(dir, 'id');
  const knownHostsFile = join(dir, 'known_hosts');
  // A key pasted into a secret often loses its final newline, which OpenSSH refuses.
  writeFileSync(keyFile, `${privateKey.replace(/\r\n/g, '\n').trim()}\n`, { mode: 0o600 });
  writeFileSync(knownHostsFile, `${knownHosts.replace(/\r\n/g, '\n').trim()}\n`, { mode: 0o600 });
  return { dir, keyFile, knownHostsFile };
}
