// Real sshd servers on 127.0.0.1 for the ssh tests: a target and a jump host (with a host certificate
// signed by a test CA), the user `deployer`, a throw-away client key. Root only (sshd must run as root).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';
export const USER = 'deployer';

/** null when real sshd servers can run here; otherwise why not. */
export function loopbackSshdUnavailable(): string | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root: sshd must run as root';
  if (!existsSync(SSHD)) return `${SSHD} missing (apt-get install openssh-server)`;
  try {
    execFileSync('id', [USER], { stdio: 'ignore' });
  } catch {
    return `no user ${USER} (the sandbox creates it: bash testkit/sandbox/sandbox.sh up)`;
  }
  return null;
}

export interface KeyPair {
  file: string;
  /** "ssh-ed25519 AAAA..." */
  pub: string;
  /** "SHA256:..." */
  fingerprint: string;
}

export function keyPair(dir: string, name: string, passphrase = ''): KeyPair {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', file]);
  const pub = readFileSync(`${file}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
  return { file, pub, fingerprint };
}

export interface Sshd {
  port: number;
  hostKey: KeyPair;
  /** Connections sshd accepted so far (its VERBOSE log). */
  accepted(): number;
  stop(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('data', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

async function startSshd(dir: string, name: string, authorizedKeys: string, certificate?: { ca: KeyPair }): Promise<Sshd> {
  const hostKey = keyPair(dir, `${name}_host_key`);
  const port = await freePort();
  const lines = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey.file}`,
    `PidFile ${join(dir, `${name}.pid`)}`,
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin no',
    `AllowUsers ${USER}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    'StrictModes no',
    'AllowTcpForwarding yes',
    'LogLevel VERBOSE',
  ];
  if (certificate) {
    execFileSync('ssh-keygen', ['-q', '-s', certificate.ca.file, '-h', '-I', `${name}-host`, '-n', '127.0.0.1', `${hostKey.file}.pub`]);
    lines.push(`HostCertificate ${hostKey.file}-cert.pub`);
  }
  writeFileSync(join(dir, `${name}_config`), `${lines.join('\n')}\n`);
  const child: ChildProcess = spawn(SSHD, ['-D', '-f', join(dir, `${name}_config`), '-E', join(dir, `${name}.log`)], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await answers(port)); i++) await new Promise((r) => setTimeout(r, 50));
  const log = join(dir, `${name}.log`);
  const accepted = () => (existsSync(log) ? (readFileSync(log, 'utf8').match(/Accepted publickey/g) ?? []).length : 0);
  return { port, hostKey, accepted, stop: () => void child.kill('SIGTERM') };
}

export interface SshdFixture {
  dir: string;
  client: KeyPair;
  /** A second key nobody trusts, for "wrong key" lines. */
  stranger: KeyPair;
  ca: KeyPair;
  otherCa: KeyPair;
  target: Sshd;
  /** Allows TCP forwarding; presents a host certificate signed by `ca` as well as its plain key. */
  jump: Sshd;
  stop(): void;
}

export async function startSshdFixture(): Promise<SshdFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'pci-sshd-'));
  chmodSync(dir, 0o755); // sshd reads authorized_keys as the user
  const client = keyPair(dir, 'client');
  const stranger = keyPair(dir, 'stranger');
  const ca = keyPair(dir, 'ca');
  const otherCa = keyPair(dir, 'other_ca');
  const authorized = join(dir, 'authorized_keys');
  writeFileSync(authorized, `${client.pub}\n`, { mode: 0o644 });
  const target = await startSshd(dir, 'target', authorized);
  const jump = await startSshd(dir, 'jump', authorized, { ca });
  return {
    dir,
    client,
    stranger,
    ca,
    otherCa,
    target,
    jump,
    stop() {
      target.stop();
      jump.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
