import { request as httpRequest } from 'node:http';
// The sandbox as tests see it: its state file, whether this machine can host it, and helpers to
// bring it up, reset it and run commands inside a host. See testkit/sandbox/README.md.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SandboxHost {
  name: string; // host1, host2, ...
  address: string; // 10.231.0.11, ...
  port: number; // sshd port (22)
  user: string; // deployer
  /** pid of the process holding the host's mount namespace (inside its network namespace) */
  pid: number;
  /** sshd log (LogLevel VERBOSE): one "Accepted publickey" line per SSH connection */
  sshLog: string;
  /** the host's public key, "ssh-ed25519 AAAA..." */
  hostKeyPub: string;
  /** the host's directory (its /opt, /run, deployer's home, docker data-root live below it) */
  dir?: string;
  /** the host's dockerd, reachable from the root namespace: DOCKER_HOST=<this> */
  dockerSock?: string;
  dockerPid?: number;
  sshdPid?: number;
}

export interface SandboxState {
  hosts: SandboxHost[];
  /** private key whose public half is in deployer's authorized_keys on every host */
  sshKey: string;
  /** known_hosts with every host's key, by IP */
  knownHosts: string;
  registry: { address: string; username: string; password: string; pidFile?: string };
  /** DOCKER_HOST of the runner dockerd (root namespace), with the registry as insecure registry */
  runnerDocker: string;
  app: string; // parking
  appDir: string; // /opt/parking
  image: string; // 10.231.0.1:5000/parking/web
  nginxImage?: string;
  versions: { v1: string; v2: string; v3: string; badHealth: string; badMigrate: string; slow: string; flaky?: string; laggy?: string };
  /** busybox: stand-in images; django: the real stack (testkit/sandbox/stack.sh) */
  stack?: 'busybox' | 'django';
  /** the real stack's database host (PostgreSQL 17 + PgBouncer + Redis 8): pid of its namespace keeper */
  database?: { host: string; address: string; port: number; name: string; user: string; password: string; pid: number; dir: string };
  /** parking-ci config (spec §2) for these hosts */
  configFile: string;
  sandboxDir?: string;
  /** DOCKER_CONFIG logged in to the registry; hostExec uses it, so root on a host can pull */
  dockerConfig?: string;
  createdAt?: string;
}

const HERE = dirname(fileURLToPath(import.meta.url));
export const SANDBOX_SCRIPT = join(HERE, 'sandbox.sh');
export const sandboxDir = (): string => {
  const id = process.env.SANDBOX_ID && process.env.SANDBOX_ID !== '0' ? process.env.SANDBOX_ID : '';
  return process.env.SANDBOX_DIR || `/var/lib/parking-ci-sandbox${id}`;
};
export const stateFile = (): string => join(sandboxDir(), 'state.json');

/** The state file of a sandbox that is (or was) up, or null. */
export function loadSandbox(): SandboxState | null {
  try {
    return JSON.parse(readFileSync(stateFile(), 'utf8')) as SandboxState;
  } catch {
    return null;
  }
}

const TOOLS: Array<[string, string]> = [
  ['dockerd', 'docker.io'],
  ['docker', 'docker.io'],
  ['sshd', 'openssh-server'],
  ['ssh', 'openssh-client'],
  ['docker-registry', 'docker-registry'],
  ['busybox', 'busybox-static'],
  ['nginx', 'nginx'],
  ['htpasswd', 'apache2-utils'],
  ['ip', 'iproute2'],
  ['iptables', 'iptables'],
  ['nsenter', 'util-linux'],
  ['unshare', 'util-linux'],
  ['curl', 'curl'],
];
const PATHS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function hasTool(name: string): boolean {
  return PATHS.some((d) => existsSync(join(d, name)));
}

/** null when this machine can host the sandbox; otherwise why not (for a skip message). */
export function sandboxUnavailableReason(): string | null {
  if (process.env.PARKING_CI_SANDBOX_SKIP) return process.env.PARKING_CI_SANDBOX_SKIP;
  if (process.platform !== 'linux') return `not Linux (${process.platform}): the sandbox needs network namespaces`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root: the sandbox needs root (namespaces, dockerd, sshd)';
  const missing = TOOLS.filter(([t]) => !hasTool(t)).map(([t, pkg]) => `${t} (${pkg})`);
  if (!['/usr/libexec/docker/cli-plugins/docker-compose', '/usr/local/lib/docker/cli-plugins/docker-compose', '/usr/lib/docker/cli-plugins/docker-compose'].some((p) => existsSync(p)))
    missing.push('docker compose plugin');
  if (missing.length) return `missing ${missing.join(', ')}: run \`bash testkit/sandbox/install.sh\` as root`;
  if (!existsSync(SANDBOX_SCRIPT)) return `${SANDBOX_SCRIPT} is missing`;
  return null;
}

function runScript(command: 'up' | 'reset' | 'down' | 'status', timeoutMs = 600_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [SANDBOX_SCRIPT, command], { timeout: timeoutMs, maxBuffer: 64 << 20, env: process.env }, (err, stdout, stderr) => {
      if (err) {
        const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-30).join('\n');
        reject(new Error(`sandbox ${command} failed (${err.message.split('\n')[0]}):\n${tail}`));
      } else resolve(stdout);
    });
  });
}

/** Brings the sandbox up when needed (`up` is idempotent and quick when already up). */
export async function ensureSandbox(): Promise<SandboxState> {
  const reason = sandboxUnavailableReason();
  if (reason) throw new Error(`sandbox unavailable: ${reason}`);
  await runScript('up');
  const state = loadSandbox();
  if (!state) throw new Error(`sandbox up did not write ${stateFile()}`);
  return state;
}

/** Back to the seed state on every host: v1 running and served, data volume empty, no .parking-ci. */
export async function resetSandbox(): Promise<void> {
  const reason = sandboxUnavailableReason();
  if (reason) throw new Error(`sandbox unavailable: ${reason}`);
  await runScript('reset');
}

type HostRef = SandboxHost | string | { name: string; pid?: number };

function resolveHost(host: HostRef): SandboxHost {
  if (typeof host === 'object' && 'pid' in host && typeof host.pid === 'number' && host.pid > 0) return host as SandboxHost;
  const key = typeof host === 'string' ? host : host.name;
  const found = loadSandbox()?.hosts.find((h) => h.name === key || h.address === key);
  if (!found) throw new Error(`no sandbox host ${key}`);
  return found;
}

/** argv to run `cmd` inside a host's namespaces (mount, network, uts): its /opt, /var/run/docker.sock, hostname. */
export function hostArgv(host: HostRef, cmd: string[]): string[] {
  const h = resolveHost(host);
  return ['nsenter', '-t', String(h.pid), '-m', '-n', '-u', '--', ...cmd];
}

export interface HostExecOptions {
  input?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
}

function execEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const dockerConfig = loadSandbox()?.dockerConfig;
  return { ...process.env, ...(dockerConfig && !process.env.DOCKER_CONFIG ? { DOCKER_CONFIG: dockerConfig } : {}), ...extra };
}

/**
 * Runs a command as root inside a host; resolves with its stdout, rejects (with stderr) on non-zero
 * exit. `docker` there talks to the host's daemon and is logged in to the sandbox registry (the
 * sandbox's DOCKER_CONFIG); deployer is not.
 */
export function hostExec(host: HostRef, cmd: string[], options: HostExecOptions = {}): Promise<string> {
  const [bin, ...args] = hostArgv(host, cmd);
  return new Promise((resolve, reject) => {
    const child = execFile(
      bin!,
      args,
      { timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 << 20, env: execEnv(options.env) },
      (err, stdout, stderr) => {
        if (err) reject(Object.assign(new Error(`${cmd.join(' ')} on ${typeof host === 'string' ? host : host.name}: ${err.message.split('\n')[0]}\n${stderr}`), { stdout, stderr }));
        else resolve(stdout);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Synchronous variant of hostExec. */
export function hostExecSync(host: HostRef, cmd: string[], options: HostExecOptions = {}): string {
  const [bin, ...args] = hostArgv(host, cmd);
  return execFileSync(bin!, args, {
    encoding: 'utf8',
    input: options.input,
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 << 20,
    env: execEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** GET through a host's nginx (or any sandbox URL), a fresh connection each time. */
export function httpGet(url: string, timeoutMs = 3000): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    const req = httpRequest(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** sshd's accepted connections on a host so far (its log; `reset` truncates it). */
export function acceptedConnections(host: Pick<SandboxHost, 'sshLog'>): number {
  return (readFileSync(host.sshLog, 'utf8').match(/Accepted publickey/g) ?? []).length;
}
