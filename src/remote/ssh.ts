import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { Host } from '../config/types.js';
import { UserError } from '../errors.js';
import { renderScript, type Script } from '../commands/shell.js';
import type { CommandResult, Executor, RunOptions } from './executor.js';
import { knownHostStatus, knownHostsName } from './known-hosts.js';

export interface SshOptions {
  /** Private key file (0600). */
  keyFile: string;
  /** known_hosts file with every host and jump host. */
  knownHostsFile: string;
  /** Jump hosts in the order ssh connects to them (`ssh.proxy-jump`, parsed by src/config/hosts.ts). */
  jumpHosts?: Host[];
  /** Directory for the ssh config file, control sockets and ssh logs; every ssh runs in it. */
  workDir: string;
  connectTimeoutSec?: number;
  connectAttempts?: number;
  log?: (line: string) => void;
}

export type SshFailureKind = 'host-key-changed' | 'host-key-unknown' | 'host-key-revoked' | 'auth' | 'unreachable';

/** What failed when connecting, in terms of what the user does next. */
export class SshConnectError extends UserError {
  override readonly name = 'SshConnectError';
  constructor(
    readonly host: Host,
    readonly kind: SshFailureKind,
    message: string,
    /** The jump host that failed, when it was not the host itself. */
    readonly jumpHost?: Host,
  ) {
    super(message);
  }
}

const PRELUDE = [
  'export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}"',
  'export LC_ALL=C',
  'umask 022',
].join('\n');

/** The config file's name inside workDir. */
export const SSH_CONFIG = 'ssh_config';

/**
 * A path as an ssh_config argument. Inside the working directory it is a bare relative name (every ssh
 * runs there); elsewhere it is quoted with "%" doubled (ssh expands %-tokens in these paths).
 */
function configPath(workDir: string, file: string): string {
  const rel = relative(workDir, file);
  if (rel && !rel.startsWith('..') && !isAbsolute(rel) && /^[A-Za-z0-9_.-]+$/.test(rel)) return rel;
  if (/["\\\p{Cc}]/u.test(file)) throw new UserError(`cannot give ssh the path ${JSON.stringify(file)}: it contains a quote, a backslash or a control character`);
  return `"${file.replace(/%/g, '%%')}"`;
}

/**
 * Every option of every ssh we start, as an ssh config file. It goes by `-F`, which is the one thing
 * the hop of a ProxyJump inherits (it gets no `-o` and no `-i`): so the jump hosts are checked against
 * known-hosts as strictly as the hosts, with the deploy key only, and never with the runner's own
 * ~/.ssh/config, keys, agent or known_hosts.
 */
export function sshConfigText(o: Pick<SshOptions, 'keyFile' | 'knownHostsFile' | 'workDir' | 'connectTimeoutSec'>): string {
  return [
    '# written by parking-ci for one run; every ssh (and every jump host hop) reads only this file',
    'Host *',
    '  BatchMode yes',
    '  StrictHostKeyChecking yes',
    `  UserKnownHostsFile ${configPath(o.workDir, o.knownHostsFile)}`,
    '  GlobalKnownHostsFile /dev/null',
    '  CheckHostIP no',
    '  UpdateHostKeys no',
    '  HashKnownHosts no',
    '  VerifyHostKeyDNS no',
    `  IdentityFile ${configPath(o.workDir, o.keyFile)}`,
    '  IdentitiesOnly yes',
    '  IdentityAgent none',
    '  AddKeysToAgent no',
    '  ForwardAgent no',
    '  ForwardX11 no',
    '  PubkeyAuthentication yes',
    '  PasswordAuthentication no',
    '  KbdInteractiveAuthentication no',
    '  HostbasedAuthentication no',
    '  GSSAPIAuthentication no',
    '  PermitLocalCommand no',
    '  CanonicalizeHostname no',
    '  RequestTTY no',
    '  ControlMaster no',
    '  ControlPath none',
    `  ConnectTimeout ${o.connectTimeoutSec ?? 15}`,
    '  ServerAliveInterval 15',
    '  ServerAliveCountMax 4',
    '  LogLevel ERROR',
    '',
  ].join('\n');
}

/** A jump host as `-J` wants it: always user@host:port, so nothing depends on the runner's user name. */
function jumpSpec(hop: Host): string {
  return `${hop.user}@${hop.host}:${hop.port}`;
}

/**
 * The system ssh client with one ControlMaster connection per host for the whole run: the master is
 * opened (and the host key verified) once, every script then runs through it as a new session.
 *
 * Every ssh runs with the working directory as its cwd and names the config file and control sockets
 * relative to it: ssh pastes the `-F` path unquoted into the shell command of a jump hop and expands
 * "%" in it, and a socket path is limited to ~100 bytes; bare names are safe whatever RUNNER_TEMP holds.
 */
export class SshExecutor implements Executor {
  readonly dryRun = false;
  private readonly sockets = new Map<string, string>();
  private readonly jumpHosts: Host[];
  constructor(private readonly options: SshOptions) {
    this.jumpHosts = options.jumpHosts ?? [];
    writeFileSync(join(options.workDir, SSH_CONFIG), sshConfigText(options), { mode: 0o600 });
  }

  private socketFor(host: Host): string {
    let socket = this.sockets.get(host.id);
    if (!socket) {
      socket = `cm-${this.sockets.size}`;
      this.sockets.set(host.id, socket);
    }
    return socket;
  }

  /**
   * The hops on the way to a host. A host that is itself one of the jump hosts (a bastion that also
   * runs the app) is reached through the hops before it: ssh refuses to jump through a host to itself.
   */
  private hopsTo(host: Host): Host[] {
    const i = this.jumpHosts.findIndex((h) => h.host === host.host && h.port === host.port);
    return i < 0 ? this.jumpHosts : this.jumpHosts.slice(0, i);
  }

  private baseArgs(host: Host): string[] {
    return [
      '-F', SSH_CONFIG,
      '-o', `ControlPath=${this.socketFor(host)}`,
      '-p', String(host.port),
      '-l', host.user,
      ...(this.hopsTo(host).length ? ['-J', this.hopsTo(host).map(jumpSpec).join(',')] : []),
    ];
  }

  async connect(host: Host): Promise<void> {
    const attempts = this.options.connectAttempts ?? 3;
    const workDir = this.options.workDir;
    for (let attempt = 1; ; attempt++) {
      const n = `${this.sockets.size}-${attempt}`;
      const log = join(workDir, `ssh-${n}.log`);
      // A hop's messages go to its stderr (it gets `-v` from us through ssh, not `-E`).
      const hopLog = join(workDir, `hop-${n}.log`);
      const code = await spawnDetached('ssh', [
        ...this.baseArgs(host),
        '-o', 'ControlMaster=yes',
        '-o', 'ControlPersist=no',
        '-v',
        '-E', log,
        '-f', '-N',
        '--', hostAddress(host),
      ], workDir, this.hopsTo(host).length ? hopLog : undefined);
      const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
      const texts = { log: read(log), hopLog: read(hopLog) };
      rmSync(log, { force: true });
      rmSync(hopLog, { force: true });
      if (code === 0) return;
      const error = classifyConnectFailure(host, texts.log, { jumpHosts: this.hopsTo(host), hopLog: texts.hopLog, knownHosts: read(this.options.knownHostsFile) });
      if (error.kind !== 'unreachable' || attempt >= attempts) throw error;
      this.options.log?.(`${host.id}: connection failed (${error.message}); retrying (${attempt}/${attempts})`);
      await new Promise((r) => setTimeout(r, 1000 * 2 ** (attempt - 1)));
    }
  }

  run(host: Host, script: Script, options: RunOptions): Promise<CommandResult> {
    const text = `${PRELUDE}\n${renderScript(script)}\n`;
    return new Promise((resolvePromise, reject) => {
      const child = spawn('ssh', [...this.baseArgs(host), '-o', 'ControlMaster=no', '-T', '--', hostAddress(host), 'bash -euo pipefail -s'], {
        cwd: this.options.workDir,
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
    await spawnDetached('ssh', [...this.baseArgs(host), '-O', 'exit', '--', hostAddress(host)], this.options.workDir);
  }
}

function hostAddress(host: Host): string {
  return host.host.startsWith('[') ? host.host.slice(1, -1) : host.host;
}

/**
 * Runs a command whose stdout we do not keep (ssh -f keeps a background master), in `cwd`, its stderr
 * appended to `stderrFile` when given. Resolves the exit code.
 */
function spawnDetached(cmd: string, args: string[], cwd: string, stderrFile?: string): Promise<number> {
  const fd = stderrFile ? openSync(stderrFile, 'a', 0o600) : undefined;
  return new Promise<number>((res) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', fd ?? 'ignore'] });
    child.on('error', () => res(255));
    child.on('exit', (code) => res(code ?? 255));
  }).finally(() => fd !== undefined && closeSync(fd));
}

const named = (h: Host) => `${h.user}@${h.id}`;
const keyscan = (h: Host) => `\`ssh-keyscan -p ${h.port} ${hostAddress(h)}\``;

/** The message of a host-key failure of `who` (the host, or a jump host on the way to it). */
function hostKeyError(host: Host, who: Host | undefined, kind: 'host-key-changed' | 'host-key-unknown' | 'host-key-revoked', fingerprint: string, certOnly = false): SshConnectError {
  const target = who ?? host;
  const prefix = who ? `${host.id}: jump host ${named(who)}` : host.id;
  const thing = who ? 'the jump host' : 'the host';
  const fix = `get the right line with ${keyscan(target)} from a trusted machine, check its fingerprint, and store it in the known-hosts secret`;
  const message =
    kind === 'host-key-changed'
      ? `${prefix}: host key CHANGED — it presented ${fingerprint}, which does not match known-hosts; nothing was run. If ${thing} was rebuilt, ${fix}; otherwise treat this as an attack`
      : kind === 'host-key-revoked'
        ? `${prefix}: presented ${fingerprint}, a key known-hosts marks @revoked; nothing was run. Treat this as an attack unless ${thing} still runs with a retired key; ${fix}`
        : certOnly
          ? `${prefix}: known-hosts trusts only a @cert-authority for it, and it presented ${fingerprint} without a certificate signed by that authority; nothing was run. Give ${thing} a host certificate from that authority, or ${fix}`
          : `${prefix}: host key not in known-hosts (it presented ${fingerprint}); nothing was run. To trust it, ${fix}`;
  return new SshConnectError(host, kind, message, who);
}

const FINGERPRINT = /Server host (key|certificate): (\S+) (SHA256:[A-Za-z0-9+/=]+)/g;

/** The key the peer presented last before `index` in a log (every hop verifies its key before the next one starts). */
function presentedBefore(log: string, index = log.length): string {
  const all = [...log.slice(0, index).matchAll(FINGERPRINT)];
  const last = all.at(-1);
  if (!last) return 'unknown (no key was presented)';
  // A certificate's fingerprint is its key's: name the key type, and say it came in a certificate.
  return last[1] === 'certificate' ? `${last[2]!.replace(/-cert-v01@openssh\.com$/, '')} ${last[3]} (in a host certificate)` : `${last[2]} ${last[3]}`;
}

/** Host-key verdicts in one ssh process's output, or undefined; `who` maps the name ssh printed ("" when none) to a jump host. */
function hostKeyFailure(host: Host, log: string, who: (name: string) => Host | undefined, certOnly: (name: string) => boolean): SshConnectError | undefined {
  const changedAt = log.search(/Host key for \S+ has changed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
  if (changedAt >= 0) {
    const name = /Host key for (\S+) has changed/.exec(log)?.[1];
    const sent = /The fingerprint for the (\S+) key sent by the remote host is\s+(SHA256:[A-Za-z0-9+/=]+)/.exec(log);
    const presented = presentedBefore(log, changedAt);
    return hostKeyError(host, who(name ?? ''), 'host-key-changed', sent && presented.startsWith('unknown') ? `${sent[1]} ${sent[2]}` : presented);
  }
  const revoked = /host key for (\S+) is marked as revoked/.exec(log);
  if (revoked) return hostKeyError(host, who(revoked[1]!), 'host-key-revoked', presentedBefore(log, revoked.index));
  const unknown = /No \S+ host key is known for (\S+) and/.exec(log) ?? /Host key verification failed/.exec(log);
  if (unknown) {
    const name = unknown[1];
    return hostKeyError(host, who(name ?? ''), 'host-key-unknown', presentedBefore(log, unknown.index), name ? certOnly(name) : false);
  }
  return undefined;
}

function reasonIn(log: string): string {
  return (
    /Connection refused/.exec(log)?.[0] ??
    /Connection timed out|Operation timed out|timed out/.exec(log)?.[0] ??
    /No route to host/.exec(log)?.[0] ??
    /Could not resolve hostname[^\n]*/.exec(log)?.[0] ??
    /Network is unreachable/.exec(log)?.[0] ??
    (log.trim().split('\n').filter((l) => !l.startsWith('debug') && !/^OpenSSH_/.test(l)).at(-1) || 'no answer')
  ).trim();
}

export interface ConnectVia {
  jumpHosts: Host[];
  /** What the hops printed (their stderr). */
  hopLog: string;
  /** known-hosts text, to tell a host trusted only through @cert-authority. */
  knownHosts?: string;
}

/**
 * Reads the ssh debug log (and, through jump hosts, what the hops printed) and says, in one line,
 * what went wrong, where (the host or which jump host), and what to do.
 */
export function classifyConnectFailure(host: Host, log: string, via: ConnectVia = { jumpHosts: [], hopLog: '' }): SshConnectError {
  const hops = via.jumpHosts;
  const certOnly = (name: string) => !!via.knownHosts && knownHostStatus(via.knownHosts, ...nameToHostPort(name)) === 'cert-authority';
  if (hops.length) {
    const failure = classifyHopFailure(host, hops, via.hopLog, certOnly);
    if (failure) return failure;
  }
  const through = hops.length ? ` (through jump host ${hops.map(named).join(', ')})` : '';
  const targetKey = hostKeyFailure(host, log, () => undefined, certOnly);
  if (targetKey) return new SshConnectError(host, targetKey.kind, through ? targetKey.message.replace(`${host.id}: `, `${host.id}${through}: `) : targetKey.message);
  if (/Permission denied \(/.test(log))
    return new SshConnectError(host, 'auth', `${host.id}${through}: ${host.user}@${hostAddress(host)} refused the key (Permission denied); check the ssh user and that the public key of ssh-private-key is in ~${host.user}/.ssh/authorized_keys`);
  if (/jumphost loop/.test(log))
    return new SshConnectError(host, 'auth', `${host.id}: ssh.proxy-jump names the host itself (${hops.map(named).join(', ')}); remove it from proxy-jump or from hosts`);
  if (hops.length && /UNKNOWN port 65535|kex_exchange_identification/.test(log)) {
    const last = hops.at(-1)!;
    return new SshConnectError(
      host,
      'unreachable',
      `${host.id}: the connection through jump host ${named(last)} closed before ${host.id} answered (${reasonIn(via.hopLog) === 'no answer' ? reasonIn(log) : reasonIn(via.hopLog)}); check that ${named(last)} can reach ${hostAddress(host)} port ${host.port} and allows TCP forwarding`,
      last,
    );
  }
  return new SshConnectError(host, 'unreachable', `${host.id}${through}: cannot connect to port ${host.port} (${reasonIn(log)})`);
}

/** "[h]:p" or "h" (as ssh names hosts in known_hosts messages) -> host and port. */
function nameToHostPort(name: string): [string, number] {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(name);
  return m ? [m[1]!, Number(m[2])] : [name, 22];
}

/** A failure that happened at a jump host (or between the last one and the host), from the hops' output. */
function classifyHopFailure(host: Host, hops: Host[], hopLog: string, certOnly: (name: string) => boolean): SshConnectError | undefined {
  const byName = (name: string) => {
    const [h, port] = nameToHostPort(name);
    return hops.find((x) => hostAddress(x) === h && x.port === port) ?? hops.find((x) => hostAddress(x) === h) ?? hops[0];
  };
  const position = (hop: Host) => (hops.length > 1 ? ` (hop ${hops.indexOf(hop) + 1} of ${hops.length})` : '');
  const key = hostKeyFailure(host, hopLog, byName, certOnly);
  if (key) return key.jumpHost ? new SshConnectError(host, key.kind, key.message.replace(`jump host ${named(key.jumpHost)}`, `jump host ${named(key.jumpHost)}${position(key.jumpHost)}`), key.jumpHost) : key;
  const denied = /(\S+)@(\S+): Permission denied \(/.exec(hopLog);
  if (denied) {
    const hop = hops.find((x) => hostAddress(x) === denied[2] && x.user === denied[1]) ?? byName(denied[2]!)!;
    return new SshConnectError(host, 'auth', `${host.id}: jump host ${named(hop)}${position(hop)} refused the key (Permission denied); check the user in ssh.proxy-jump and that the public key of ssh-private-key is in ~${hop.user}/.ssh/authorized_keys on the jump host`, hop);
  }
  const connect = /ssh: connect to host (\S+) port (\d+): ([^\n]+)/.exec(hopLog) ?? /ssh: Could not resolve hostname (\S+)(): ([^\n]+)/.exec(hopLog);
  if (connect) {
    const hop = hops.find((x) => hostAddress(x) === connect[1] && (!connect[2] || x.port === Number(connect[2]))) ?? hops[0]!;
    return new SshConnectError(host, 'unreachable', `${host.id}: cannot connect to jump host ${named(hop)}${position(hop)} (${connect[3]!.trim()}); check its address and port in ssh.proxy-jump and that the runner can reach it`, hop);
  }
  const open = /channel \d+: open failed: ([^\n]+)/.exec(hopLog);
  if (open) {
    // The last hop that authenticated tried to open the way to the next one (or to the host).
    // "Authenticated to NAME ([ADDRESS]:PORT)": NAME as ssh.proxy-jump gives it.
    const authenticated = [...hopLog.matchAll(/Authenticated to (\S+) \(\[[^\]]*\]:(\d+)\)/g)].at(-1);
    const from = authenticated ? byName(knownHostsName(authenticated[1]!, Number(authenticated[2])))! : hops.at(-1)!;
    const next = hops[hops.indexOf(from) + 1];
    const to = next ? `jump host ${named(next)}` : `${hostAddress(host)} port ${host.port}`;
    const reason = open[1]!.replace(/^(connect failed|administratively prohibited): /, '').trim();
    const advice = /administratively prohibited/.test(open[1]!)
      ? `jump host ${named(from)} refuses TCP forwarding (set AllowTcpForwarding yes in its sshd_config)`
      : `check that ${next ? `${named(next)}` : `${host.id}`} is the right address as seen from jump host ${named(from)} and that its sshd runs`;
    return new SshConnectError(host, 'unreachable', `${host.id}: jump host ${named(from)}${position(from)} could not open a connection to ${to} (${reason}); ${advice}`, from);
  }
  return undefined;
}

/** Writes the key and known_hosts to 0600 files under RUNNER_TEMP; returns their paths. */
export function writeSshFiles(tempDir: string, privateKey: string, knownHosts: string): { dir: string; keyFile: string; knownHostsFile: string } {
  const dir = mkdtempSync(join(tempDir, 'pci-'));
  const keyFile = join(dir, 'id');
  const knownHostsFile = join(dir, 'known_hosts');
  // A key pasted into a secret often loses its final newline, which OpenSSH refuses.
  writeFileSync(keyFile, `${privateKey.replace(/\r\n/g, '\n').trim()}\n`, { mode: 0o600 });
  writeFileSync(knownHostsFile, `${knownHosts.replace(/\r\n/g, '\n').trim()}\n`, { mode: 0o600 });
  try {
    checkPrivateKey(keyFile);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { dir, keyFile, knownHostsFile };
}

/**
 * ssh loads the key itself before any connection (`ssh-keygen -y`): a damaged key or one with a
 * passphrase is named here, instead of surfacing later as "Permission denied" on the first host.
 */
export function checkPrivateKey(keyFile: string): void {
  const r = spawnSync('ssh-keygen', ['-y', '-P', '', '-f', keyFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  if (r.error) throw new UserError(`cannot check input "ssh-private-key": ssh-keygen did not run (${r.error.message}); is openssh-client installed?`);
  if (r.status === 0) return;
  if (/passphrase/i.test(r.stderr)) throw new UserError('input "ssh-private-key" is protected by a passphrase; a deploy key must not have one (create one with `ssh-keygen -t ed25519 -N ""` and authorize its public key on every host and jump host)');
  throw new UserError('input "ssh-private-key" is not a private key ssh can load (damaged or incomplete); store the whole file, from "-----BEGIN" to "-----END ... PRIVATE KEY-----", as the secret');
}
