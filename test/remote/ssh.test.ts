// The ssh executor: the config file every ssh (and every jump host hop) reads, and connections through
// one or two jump hosts to real sshd servers on 127.0.0.1, from a working directory whose path holds a
// space and "%" (RUNNER_TEMP may).
import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostId } from '../../src/config/hosts.js';
import type { Host } from '../../src/config/types.js';
import { knownHostsProblem } from '../../src/remote/known-hosts.js';
import { SshConnectError, SshExecutor, classifyConnectFailure, sshConfigText } from '../../src/remote/ssh.js';
import { loopbackSshdUnavailable, startSshdFixture, USER, type SshdFixture } from './sshd.js';

jest.setTimeout(60_000);

describe('the generated ssh config', () => {
  test('holds every check, so a hop started by ProxyJump (which gets no -o and no -i) is as strict as the host', () => {
    const text = sshConfigText({ workDir: '/w', keyFile: '/w/id', knownHostsFile: '/w/known_hosts' });
    for (const line of ['BatchMode yes', 'StrictHostKeyChecking yes', 'UserKnownHostsFile known_hosts', 'GlobalKnownHostsFile /dev/null', 'IdentityFile id', 'IdentitiesOnly yes', 'IdentityAgent none', 'UpdateHostKeys no', 'ForwardAgent no', 'PasswordAuthentication no', 'ControlMaster no', 'ControlPath none'])
      expect(text).toContain(`\n  ${line}\n`);
  });
  test('files outside the working directory are quoted, with "%" doubled; a quote in a path is refused', () => {
    const text = sshConfigText({ workDir: '/w', keyFile: '/runner temp/100%/id', knownHostsFile: '/w/known_hosts' });
    expect(text).toContain('\n  IdentityFile "/runner temp/100%%/id"\n');
    expect(() => sshConfigText({ workDir: '/w', keyFile: '/a"b/id', knownHostsFile: '/w/kh' })).toThrow(/cannot give ssh the path/);
  });
});

describe('failures through jump hosts name the hop (from what the hops printed)', () => {
  const host: Host = { id: '10.0.0.11', host: '10.0.0.11', port: 22, user: 'deployer' };
  const hops: Host[] = [
    { id: 'a.example.com', host: 'a.example.com', port: 22, user: 'deployer' },
    { id: 'b.example.com:2222', host: 'b.example.com', port: 2222, user: 'ops' },
  ];
  const main = 'kex_exchange_identification: Connection closed by remote host\nConnection closed by UNKNOWN port 65535\n';
  test('the second hop refused forwarding', () => {
    const hopLog = 'Authenticated to a.example.com ([10.1.0.1]:22) using "publickey".\nAuthenticated to b.example.com ([10.1.0.2]:2222) using "publickey".\nchannel 0: open failed: administratively prohibited: open failed\nstdio forwarding failed\n';
    const e = classifyConnectFailure(host, main, { jumpHosts: hops, hopLog });
    expect(e.message).toBe('10.0.0.11: jump host ops@b.example.com:2222 (hop 2 of 2) could not open a connection to 10.0.0.11 port 22 (open failed); jump host ops@b.example.com:2222 refuses TCP forwarding (set AllowTcpForwarding yes in its sshd_config)');
    expect(e.jumpHost).toBe(hops[1]);
  });
  test('the first hop could not reach the second', () => {
    const hopLog = 'Authenticated to a.example.com ([10.1.0.1]:22) using "publickey".\nchannel 0: open failed: connect failed: No route to host\nstdio forwarding failed\n';
    expect(classifyConnectFailure(host, main, { jumpHosts: hops, hopLog }).message).toMatch(/^10\.0\.0\.11: jump host deployer@a\.example\.com \(hop 1 of 2\) could not open a connection to jump host ops@b\.example\.com:2222 \(No route to host\)/);
  });
  test('the hop printed nothing we know: still not "UNKNOWN port 65535" alone', () => {
    const e = classifyConnectFailure(host, main, { jumpHosts: hops.slice(0, 1), hopLog: '' });
    expect(e.message).toMatch(/^10\.0\.0\.11: the connection through jump host deployer@a\.example\.com closed before 10\.0\.0\.11 answered/);
    expect(e.kind).toBe('unreachable');
  });
});

test('known-hosts pre-check names hosts and jump hosts, and the lines ssh would skip', () => {
  const problem = knownHostsProblem('10.0.0.11 ssh-ed25519 AAAA\n@trusted bastion ssh-ed25519 AAAA\n', [
    { id: '10.0.0.11', host: '10.0.0.11', port: 22 },
    { id: 'bastion:2222', host: 'bastion', port: 2222, role: 'jump host' },
  ]);
  expect(problem).toBe(
    'known-hosts has no line for jump host bastion:2222; nothing was run. Get the line with `ssh-keyscan -p PORT HOST` from a trusted machine, check the fingerprint, and add it to the known-hosts secret (ssh looks up bastion:2222 as [bastion]:2222) (ssh skips line 2: unknown marker @trusted)',
  );
});

const reason = loopbackSshdUnavailable();
if (reason) console.log(`loopback sshd tests skipped: ${reason}`);
(reason ? describe.skip : describe)('through real jump hosts', () => {
  let f: SshdFixture;
  let workDir: string;
  beforeAll(async () => {
    f = await startSshdFixture();
  });
  afterAll(() => f?.stop());
  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), 'runner temp %h %% '));
  });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  const at = (port: number): Host => ({ id: hostId('127.0.0.1', port), host: '127.0.0.1', port, user: USER });
  // Two hops need three names: hop 1 is the target sshd as 127.0.0.1, hop 2 the jump sshd, and the host
  // is the target sshd again as "localhost" (forwarded to by the jump sshd).
  const localhost = (port: number): Host => ({ id: hostId('localhost', port), host: 'localhost', port, user: USER });
  const twoHopKnown = (jumpKey: string) =>
    `[localhost]:${f.target.port} ${f.target.hostKey.pub}\n[127.0.0.1]:${f.target.port} ${f.target.hostKey.pub}\n[127.0.0.1]:${f.jump.port} ${jumpKey}\n`;
  const executor = (knownHosts: string, jumpHosts: Host[]) => {
    writeFileSync(join(workDir, 'known_hosts'), knownHosts, { mode: 0o600 });
    writeFileSync(join(workDir, 'id'), '');
    return new SshExecutor({ keyFile: f.client.file, knownHostsFile: join(workDir, 'known_hosts'), workDir, jumpHosts, connectAttempts: 1, connectTimeoutSec: 5 });
  };

  test('two hops, from a working directory with a space and "%": one master, commands run through it', async () => {
    const kh = `${twoHopKnown(f.jump.hostKey.pub)}`;
    const ssh = executor(kh, [at(f.target.port), at(f.jump.port)]);
    const host = localhost(f.target.port);
    const before = [f.target.accepted(), f.jump.accepted()];
    await ssh.connect(host);
    // hop 1 and the host itself on the target sshd, hop 2 on the jump sshd; the runs reuse the master
    expect([f.target.accepted() - before[0]!, f.jump.accepted() - before[1]!]).toEqual([2, 1]);
    for (let i = 0; i < 3; i++) expect(await ssh.run(host, [['echo', `run ${i}`]], { label: 'echo' })).toMatchObject({ code: 0, stdout: `run ${i}\n` });
    await ssh.close(host);
  });

  test('a host that is also the jump host is reached directly (ssh refuses to jump through a host to itself)', async () => {
    const kh = `[127.0.0.1]:${f.jump.port} ${f.jump.hostKey.pub}\n`;
    const ssh = executor(kh, [at(f.jump.port)]);
    const host = at(f.jump.port);
    await ssh.connect(host);
    expect(await ssh.run(host, [['echo', 'on the bastion']], { label: 'echo' })).toMatchObject({ code: 0, stdout: 'on the bastion\n' });
    await ssh.close(host);
  });

  test('a working directory longer than a control socket path may be (sockets are named relative to it)', async () => {
    const deep = join(workDir, 'a'.repeat(60), 'b'.repeat(60));
    mkdirSync(deep, { recursive: true });
    workDir = deep;
    const kh = `[127.0.0.1]:${f.target.port} ${f.target.hostKey.pub}\n[127.0.0.1]:${f.jump.port} ${f.jump.hostKey.pub}\n`;
    const ssh = executor(kh, [at(f.jump.port)]);
    const host = at(f.target.port);
    await ssh.connect(host);
    expect(await ssh.run(host, [['echo', 'ok']], { label: 'echo' })).toMatchObject({ code: 0, stdout: 'ok\n' });
    await ssh.close(host);
  });

  test('two hops, the second with a wrong key: hop 2 is named, with the fingerprint it presented', async () => {
    const ssh = executor(twoHopKnown(f.stranger.pub), [at(f.target.port), at(f.jump.port)]);
    const error = (await ssh.connect(localhost(f.target.port)).catch((e: unknown) => e)) as SshConnectError;
    expect(error).toBeInstanceOf(SshConnectError);
    expect(error.jumpHost).toEqual(at(f.jump.port));
    expect(error.message).toContain(`jump host deployer@127.0.0.1:${f.jump.port} (hop 2 of 2): host key CHANGED — it presented ssh-ed25519 ${f.jump.hostKey.fingerprint}`);
  });
});
