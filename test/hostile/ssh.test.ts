// Drives every row of ssh.cases.ts through the real code path: the config loader, the known_hosts
// pre-check, the deploy action as the runner runs it (with an `ssh` on PATH that records any start),
// and real ssh against real sshd servers on 127.0.0.1.
import { jest } from '@jest/globals';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { hostId } from '../../src/config/hosts.js';
import type { Host } from '../../src/config/types.js';
import { ValidationError } from '../../src/errors.js';
import { knownHostStatus } from '../../src/remote/known-hosts.js';
import { SshConnectError, SshExecutor } from '../../src/remote/ssh.js';
import { newRunnerDirs, runAction } from '../../testkit/run-action.js';
import { keyPair, loopbackSshdUnavailable, startSshdFixture, USER, type SshdFixture } from '../remote/sshd.js';
import { cases, type Case } from './ssh.cases.js';

jest.setTimeout(120_000);
const FILE = '.github/parking-ci.yml';
const of = <K extends Case['kind']>(kind: K) => cases.filter((c): c is Extract<Case, { kind: K }> => c.kind === kind);

test('the ssh area holds at least 40 rows, each named once', () => {
  expect(cases.length).toBeGreaterThanOrEqual(40);
  expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
});

describe('config values that would become ssh options, shell text or %-tokens are refused, naming the key', () => {
  test.each(of('config').map((c) => [c.name, c] as const))('%s', (_name, c) => {
    let error: unknown;
    try {
      parseConfig(c.yaml, FILE);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const problem = (error as ValidationError).problems[0]!;
    expect(problem.path).toBe(c.path);
    expect(problem.message).toMatch(c.message);
    expect(problem.message).not.toMatch(/\n/); // one line, whatever the value held
    expect(problem.line).toBeGreaterThan(0);
  });
});

describe('accepted spellings are parsed once, for hosts and jump hosts alike', () => {
  test.each(of('config-ok').map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const env = parseConfig(c.yaml, FILE).environments.production!;
    if (c.hosts) expect(env.hosts).toEqual(c.hosts);
    if (c.jumpHosts) expect(env.ssh.jumpHosts).toEqual(c.jumpHosts);
  });
});

describe('the known_hosts pre-check judges a line as ssh does', () => {
  test.each(of('known-hosts').map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(knownHostStatus(c.knownHosts, c.host, c.port)).toBe(c.status);
  });
});

describe('the deploy action refuses before ssh ever starts', () => {
  let dir: string;
  let keys: { valid: string; withPassphrase: string };
  let shim: string;
  const canary = () => join(dir, 'ssh-was-started');
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pci-hostile-ssh-'));
    keys = { valid: readFileSync(keyPair(dir, 'valid').file, 'utf8'), withPassphrase: readFileSync(keyPair(dir, 'locked', 'correct horse').file, 'utf8') };
    shim = join(dir, 'bin');
    mkdirSync(shim);
    writeFileSync(join(shim, 'ssh'), `#!/bin/sh\ntouch '${canary()}'\nexit 255\n`);
    chmodSync(join(shim, 'ssh'), 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(of('action').map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { workspace } = newRunnerDirs();
    mkdirSync(join(workspace, '.github'));
    writeFileSync(join(workspace, FILE), c.yaml);
    const r = await runAction('deploy', {
      workspace,
      inputs: { environment: 'production', version: 'v2', 'github-token': '', ...c.inputs(keys) },
      env: { PATH: `${shim}:${process.env.PATH ?? '/usr/bin:/bin'}` },
    });
    expect(r.exitCode).toBe(1);
    const errors = r.annotations.filter((a) => a.level === 'error');
    // one failure line (a config problem is also annotated at its line and column, with the same text)
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.message).toMatch(c.error);
    expect(existsSync(canary())).toBe(false);
    // a refused key never reaches the log
    const shown = (r.stdout + r.stderr).split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n') + r.summary;
    for (const line of keys.valid.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))) expect(shown).not.toContain(line);
  });
});

const sshdReason = loopbackSshdUnavailable();
if (sshdReason) console.log(`ssh verification rows skipped: ${sshdReason}`);
(sshdReason ? describe.skip : describe)('real ssh against real sshd: accepted exactly when ssh may, refused naming the host or hop and its fingerprint', () => {
  let f: SshdFixture;
  beforeAll(async () => {
    f = await startSshdFixture();
  });
  afterAll(() => f?.stop());

  test.each(of('verify').map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const workDir = mkdtempSync(join(tmpdir(), 'pci-verify-'));
    const knownHostsFile = join(workDir, 'known_hosts');
    writeFileSync(knownHostsFile, `${c.knownHosts(f)}\n`, { mode: 0o600 });
    const t = { port: f.target.port, user: USER, ...c.target?.(f) };
    const j = { port: f.jump.port, user: USER, ...c.hop?.(f) };
    const host: Host = { id: hostId('127.0.0.1', t.port), host: '127.0.0.1', port: t.port, user: t.user };
    const jumpHosts: Host[] = c.via === 'jump' ? [{ id: hostId('127.0.0.1', j.port), host: '127.0.0.1', port: j.port, user: j.user }] : [];
    const ssh = new SshExecutor({ keyFile: f.client.file, knownHostsFile, workDir, jumpHosts, connectAttempts: 1, connectTimeoutSec: 5 });
    try {
      if (!c.fails) {
        await ssh.connect(host);
        const r = await ssh.run(host, [['echo', 'connected']], { label: 'echo', timeoutMs: 20_000 });
        expect(r).toMatchObject({ code: 0, stdout: 'connected\n' });
        return;
      }
      const error = await ssh.connect(host).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(SshConnectError);
      const e = error as SshConnectError;
      expect({ kind: e.kind, atJump: !!e.jumpHost }).toEqual({ kind: c.fails.kind, atJump: c.fails.atJump });
      expect(e.message).toMatch(c.fails.message(f));
      expect(e.message).not.toMatch(/UNKNOWN port 65535|\n/);
    } finally {
      await ssh.close(host);
      rmSync(workDir, { recursive: true, force: true });
    }
  });
});
