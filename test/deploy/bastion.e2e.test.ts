// Deploy through a jump host end-to-end on the sandbox (spec §4.7 for every hop): the hosts answer SSH
// only from the bastion (testkit/sandbox/bastion.sh fences them), so a deploy reaches them only through
// it, and both hops are verified against `known-hosts` with the deploy key only, whatever the runner's
// own ~/.ssh holds and whatever characters RUNNER_TEMP contains.
import { jest } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_SCRIPT, ensureSandbox, hostExec, loadSandbox, resetSandbox, sandboxDir, sandboxUnavailableReason, type SandboxState } from '../../testkit/sandbox/state.js';
import { acceptedConnections, connectionInputs, deploy, servedVersions, settled } from '../../testkit/e2e.js';

jest.setTimeout(300_000);
const reason = process.env.PARKING_CI_SANDBOX_SKIP ?? sandboxUnavailableReason();
const run = reason && process.env.CI !== 'true' ? describe.skip : describe;
if (reason) console.log(`bastion end-to-end tests ${process.env.CI === 'true' ? 'cannot skip in CI' : 'skipped'}: ${reason}`);

interface Bastion {
  address: string;
  port: number;
  user: string;
  hostKeyPub: string;
  knownHostsLine: string;
  sshLog: string;
}

let state: SandboxState;
let bastion: Bastion;

const bastionCommand = (command: string) =>
  new Promise<void>((resolve, reject) =>
    execFile('bash', [SANDBOX_SCRIPT, 'bastion', command], { env: process.env, timeout: 120_000 }, (err, _out, stderr) => (err ? reject(new Error(`sandbox bastion ${command}: ${stderr}`)) : resolve())),
  );

const bastionConnections = () => (readFileSync(bastion.sshLog, 'utf8').match(/Accepted publickey/g) ?? []).length;
const fingerprint = (pub: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'pci-fp-'));
  writeFileSync(join(dir, 'k.pub'), `${pub}\n`);
  const fp = execFileSync('ssh-keygen', ['-l', '-f', join(dir, 'k.pub')], { encoding: 'utf8' }).split(' ')[1]!;
  rmSync(dir, { recursive: true });
  return fp;
};
const otherKey = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pci-key-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
  const pub = readFileSync(join(dir, 'k.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  rmSync(dir, { recursive: true });
  return pub;
};
const lockDirs = async () => (await Promise.all(state.hosts.map((h) => hostExec(h, ['sh', '-c', `ls -d ${state.appDir}/.parking-ci/lock 2>/dev/null || true`])))).join('').trim();
const viaBastion = (hop: string) => (y: string) => y.replace(/( +)user: deployer\n/, `$1user: deployer\n$1proxy-jump: "${hop}"\n`);
const hostsKnown = () => connectionInputs(state)['known-hosts']!.trim();

/** A runner whose own ~/.ssh would break (or bypass) every check if ssh read it. */
function hostileHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'pci-home-'));
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  writeFileSync(join(home, '.ssh', 'config'), 'Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  ProxyCommand false\n  User nobody\n');
  writeFileSync(join(home, '.ssh', 'known_hosts'), `[${bastion.address}]:${bastion.port} ${otherKey()}\n`);
  return home;
}

run('deploy through a jump host (sandbox bastion; hosts answer SSH only from it)', () => {
  beforeAll(async () => {
    state = loadSandbox() ?? (await ensureSandbox());
    await resetSandbox();
    await bastionCommand('fence');
    bastion = JSON.parse(readFileSync(join(sandboxDir(), 'bastion', 'state.json'), 'utf8')) as Bastion;
    await settled(state);
  });
  afterAll(async () => {
    await bastionCommand('unfence');
  });

  test('the fence holds: without proxy-jump no host can be reached', async () => {
    const r = await deploy(state, 'v2');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/cannot connect to port 22 \(Connection refused\)/);
    expect(await servedVersions(state)).toEqual(['v1', 'v1', 'v1']);
  });

  test('v1 -> v2 through the bastion, strict host keys on both hops, RUNNER_TEMP with a space and "%", a hostile ~/.ssh ignored', async () => {
    const temp = mkdtempSync(join(tmpdir(), 'runner temp %h %% dir-'));
    const home = hostileHome();
    const before = { bastion: bastionConnections(), hosts: acceptedConnections(state) };
    // No "user@": the hop logs in as ssh.user (deployer), not as the runner's own user.
    const r = await deploy(state, 'v2', {
      edit: viaBastion(`${bastion.address}:${bastion.port}`),
      inputs: { 'known-hosts': `${hostsKnown()}\n${bastion.knownHostsLine}\n` },
      env: { RUNNER_TEMP: temp, HOME: home },
    });
    expect(r.stderr + r.stdout).not.toMatch(/::error/);
    expect(r.exitCode).toBe(0);
    expect(await servedVersions(state)).toEqual(['v2', 'v2', 'v2']);
    expect(r.outputs.status).toBe('deployed');
    // one connection per host, each through the bastion
    expect(bastionConnections() - before.bastion).toBe(state.hosts.length);
    expect(acceptedConnections(state).map((n, i) => n - before.hosts[i]!)).toEqual(state.hosts.map(() => 1));
    for (const h of state.hosts) expect(readFileSync(h.sshLog, 'utf8')).toMatch(new RegExp(`Accepted publickey for deployer from ${bastion.address.replace(/\./g, '\\.')} `));
    expect(await lockDirs()).toBe('');
    rmSync(temp, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  test('a wrong bastion key is refused, naming the bastion and the fingerprint it presented; nothing runs', async () => {
    const before = acceptedConnections(state);
    const served = await servedVersions(state);
    const r = await deploy(state, 'v3', {
      edit: viaBastion(`deployer@${bastion.address}:${bastion.port}`),
      inputs: { 'known-hosts': `${hostsKnown()}\n[${bastion.address}]:${bastion.port} ${otherKey()}\n` },
      env: { HOME: hostileHome() },
    });
    expect(r.exitCode).toBe(1);
    const error = r.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(error).toContain(`jump host deployer@${bastion.address}:${bastion.port}: host key CHANGED — it presented ssh-ed25519 ${fingerprint(bastion.hostKeyPub)}`);
    expect(error).toContain(`ssh-keyscan -p ${bastion.port} ${bastion.address}`);
    expect(acceptedConnections(state)).toEqual(before);
    expect(await servedVersions(state)).toEqual(served);
    expect(await lockDirs()).toBe('');
  });

  test('a bastion missing from known-hosts stops the deploy before any connection', async () => {
    const before = bastionConnections();
    const r = await deploy(state, 'v3', { edit: viaBastion(`deployer@${bastion.address}:${bastion.port}`) });
    expect(r.exitCode).toBe(1);
    expect(r.annotations.find((a) => a.level === 'error')?.message).toMatch(
      new RegExp(`known-hosts has no line for jump host ${bastion.address.replace(/\./g, '\\.')}:${bastion.port}; nothing was run\\..*\\(ssh looks up \\S+ as \\[${bastion.address.replace(/\./g, '\\.')}\\]:${bastion.port}\\)`),
    );
    expect(bastionConnections()).toBe(before);
  });

  test("a host's wrong key behind the bastion is refused, naming the host, its fingerprint and the way it was reached", async () => {
    const [first] = state.hosts;
    const served = await servedVersions(state);
    const known = hostsKnown().split('\n').map((l) => (l.startsWith(`${first!.address} `) ? `${first!.address} ${otherKey()}` : l)).join('\n');
    const r = await deploy(state, 'v3', {
      edit: viaBastion(`deployer@${bastion.address}:${bastion.port}`),
      inputs: { 'known-hosts': `${known}\n${bastion.knownHostsLine}\n` },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`${first!.address} (through jump host deployer@${bastion.address}:${bastion.port}): host key CHANGED — it presented ssh-ed25519 ${fingerprint(first!.hostKeyPub)}`);
    expect(await servedVersions(state)).toEqual(served);
  });

  test('a host the bastion cannot reach is reported as that, not as "UNKNOWN port 65535"', async () => {
    const served = await servedVersions(state);
    const r = await deploy(state, 'v3', {
      edit: (y) => viaBastion(`deployer@${bastion.address}:${bastion.port}`)(y).replace(/port: 22\n/, 'port: 2200\n'),
      inputs: { 'known-hosts': `${hostsKnown().replace(/^(\S+) /gm, '[$1]:2200 ')}\n${bastion.knownHostsLine}\n` },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).not.toMatch(/UNKNOWN|65535/);
    expect(r.stdout).toMatch(new RegExp(`jump host deployer@${bastion.address.replace(/\./g, '\\.')}:${bastion.port} could not open a connection to \\S+ port 2200 \\(Connection refused\\)`));
    expect(await servedVersions(state)).toEqual(served);
  });
});
