// Deploy safety end-to-end on the sandbox: host keys, credentials, unreachable hosts, hostile inputs,
// secrets, dry run and GitHub deployment records. Nothing here may change a host.
import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostExec, loadSandbox, resetSandbox, sandboxUnavailableReason, ensureSandbox, type SandboxState } from '../../testkit/sandbox/state.js';
import { acceptedConnections, connectionInputs, deploy, servedVersions, settled } from '../../testkit/e2e.js';

jest.setTimeout(300_000);
const reason = process.env.PARKING_CI_SANDBOX_SKIP ?? (await sandboxUnavailableReason());
const run = reason && process.env.CI !== 'true' ? describe.skip : describe;

let state: SandboxState;
const CANARY_DIR = '/tmp/parking-ci-canary';
const canaries = () => (existsSync(CANARY_DIR) ? readdirSync(CANARY_DIR) : []);
const lockDirs = async () => (await Promise.all(state.hosts.map((h) => hostExec(h, ['sh', '-c', `ls -d ${state.appDir}/.parking-ci/lock 2>/dev/null || true`])))).join('').trim();

function newKey(): { priv: string; pub: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pci-key-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
  const key = { priv: readFileSync(join(dir, 'k'), 'utf8'), pub: readFileSync(join(dir, 'k.pub'), 'utf8').trim() };
  rmSync(dir, { recursive: true });
  return key;
}

run('deploy safety on the sandbox', () => {
  beforeAll(async () => {
    state = (await loadSandbox()) ?? (await ensureSandbox());
    await resetSandbox();
    await settled(state);
    rmSync(CANARY_DIR, { recursive: true, force: true });
  });

  /** Every case: the run fails with one clear line, and no host changed. */
  async function refusedWithoutChange(r: Awaited<ReturnType<typeof deploy>>, message: RegExp): Promise<void> {
    expect(r.exitCode).toBe(1);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.map((e) => e.message).join('\n')).toMatch(message);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .*\.js:\d+:\d+/); // no stack trace
    expect(await lockDirs()).toBe('');
  }

  test('a changed host key stops the deploy before any command runs, naming the host and the fingerprint it presented', async () => {
    const impostor = newKey().pub.split(' ').slice(0, 2).join(' ');
    const real = readFileSync(state.knownHosts, 'utf8');
    const knownHosts = real.replace(new RegExp(`^${state.hosts[1]!.address.replace(/\./g, '\\.')} .*$`, 'm'), `${state.hosts[1]!.address} ${impostor}`);
    const r = await deploy(state, 'v2', { inputs: { 'known-hosts': knownHosts } });
    await refusedWithoutChange(r, new RegExp(`${state.hosts[1]!.address.replace(/\./g, '\\.')}: host key CHANGED — it presented ssh-ed25519 SHA256:\\S+.*ssh-keyscan`));
    expect(await servedVersions(state)).toEqual(['v1', 'v1', 'v1']);
  });

  test('a host missing from known-hosts is refused before connecting', async () => {
    const before = acceptedConnections(state);
    const kh = readFileSync(state.knownHosts, 'utf8').split('\n').filter((l) => !l.startsWith(`${state.hosts[2]!.address} `)).join('\n');
    const r = await deploy(state, 'v2', { inputs: { 'known-hosts': kh } });
    await refusedWithoutChange(r, new RegExp(`known-hosts has no line for ${state.hosts[2]!.address.replace(/\./g, '\\.')}; nothing was run`));
    expect(acceptedConnections(state)).toEqual(before);
  });

  test('a wrong key and a wrong user are refused with the host named', async () => {
    await refusedWithoutChange(await deploy(state, 'v2', { inputs: { 'ssh-private-key': newKey().priv } }), /\d+\.\d+\.\d+\.\d+: deployer@[\d.]+ refused the key/);
    await refusedWithoutChange(await deploy(state, 'v2', { edit: (y) => y.replace(/user: deployer/, 'user: nobody') }), /nobody@[\d.]+ refused the key/);
  });

  test('an unreachable host fails before any change', async () => {
    const kh = `${readFileSync(state.knownHosts, 'utf8')}\n[${state.hosts[0]!.address}]:2 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`;
    const r = await deploy(state, 'v2', { inputs: { 'known-hosts': kh }, edit: (y) => y.replace(`- ${state.hosts[2]!.address}`, `- "${state.hosts[0]!.address}:2"`) });
    await refusedWithoutChange(r, /cannot connect to port 2 \(Connection refused\)/);
  });

  const FIRST = /- \d+\.\d+\.\d+\.11/;
  const hostile: [string, Record<string, string>, ((y: string) => string)?][] = [
    ['version with ;', { version: `v2;touch ${CANARY_DIR}/1` }],
    ['version with $()', { version: `$(touch ${CANARY_DIR}/2)` }],
    ['version with backticks', { version: '`touch /tmp/parking-ci-canary/3`' }],
    ['version with newline', { version: `v2\ntouch ${CANARY_DIR}/4` }],
    ['version with quotes', { version: `v2'"; touch ${CANARY_DIR}/5` }],
    ['version with space', { version: 'v2 --rm' }],
    ['version starting with -', { version: '-v2' }],
    ['digest that is not hex', { version: `sha256:${'z'.repeat(64)}` }],
    ['strategy unknown', { version: 'v2', strategy: 'yolo' }],
    ['dry-run not a boolean', { version: 'v2', 'dry-run': 'maybe' }],
    ['environment with ;', { version: 'v2', environment: `production;touch ${CANARY_DIR}/6` }],
    ['missing environment', { version: 'v2', environment: 'staging' }],
    ['key that is not a key', { version: 'v2', 'ssh-private-key': 'hunter2' }],
    ['known-hosts garbage', { version: 'v2', 'known-hosts': 'not a known_hosts line' }],
    ['host with ;', { version: 'v2' }, (y) => y.replace(FIRST, `- "10.0.0.1;touch ${CANARY_DIR}/7"`)],
    ['host with $()', { version: 'v2' }, (y) => y.replace(FIRST, `- "$(touch ${CANARY_DIR}/8)"`)],
    ['host with space', { version: 'v2' }, (y) => y.replace(FIRST, '- "10.0.0.1 -oProxyCommand=touch"')],
    ['host starting with -', { version: 'v2' }, (y) => y.replace(FIRST, '- "-oProxyCommand=touch /tmp/parking-ci-canary/9"')],
    ['host object with bad user', { version: 'v2' }, (y) => y.replace(FIRST, `- {host: 10.0.0.1, user: "a;touch ${CANARY_DIR}/10"}`)],
    ['user with $()', { version: 'v2' }, (y) => y.replace(/user: deployer/, `user: "$(touch ${CANARY_DIR}/11)"`)],
    ['user starting with -', { version: 'v2' }, (y) => y.replace(/user: deployer/, 'user: "-oProxyCommand=x"')],
    ['port out of range', { version: 'v2' }, (y) => y.replace(FIRST, '- "10.0.0.1:70000"')],
    ['port zero', { version: 'v2' }, (y) => y.replace(FIRST, '- {host: 10.0.0.1, port: 0}')],
    ['relative app-dir', { version: 'v2' }, (y) => y.replace(/app-dir: \S+/, 'app-dir: opt/parking')],
    ['app-dir with ;', { version: 'v2' }, (y) => y.replace(/app-dir: \S+/, `app-dir: "/opt/parking;touch ${CANARY_DIR}/12"`)],
    ['app-dir with ..', { version: 'v2' }, (y) => y.replace(/app-dir: \S+/, 'app-dir: /opt/../etc')],
    ['app-dir with newline', { version: 'v2' }, (y) => y.replace(/app-dir: \S+/, 'app-dir: "/opt/parking\\ntouch /tmp/parking-ci-canary/13"')],
    ['compose-file escaping app-dir', { version: 'v2' }, (y) => y.replace(/compose-file: \S+/, 'compose-file: ../../etc/passwd')],
    ['service with $()', { version: 'v2' }, (y) => y.replace(/services: \[web, worker\]/, `services: [web, "$(touch ${CANARY_DIR}/14)"]`)],
    ['proxy-jump with ;', { version: 'v2' }, (y) => y.replace(/user: deployer/, `user: deployer\n      proxy-jump: "bastion;touch ${CANARY_DIR}/15"`)],
    ['upstream-name with ;', { version: 'v2' }, (y) => `${y.trimEnd()}\n    upstream-name: "app;}"\n`],
    ['migrate command with newline', { version: 'v2' }, (y) => y.replace(/command: migrate/, 'command: "migrate\\ntouch /tmp/parking-ci-canary/16"')],
    ['health path with spaces', { version: 'v2' }, (y) => y.replace(/path: \/health\//, 'path: "/health/ HTTP/1.0"')],
    ['batch-size garbage', { version: 'v2' }, (y) => `${y.trimEnd()}\n    batch-size: "all"\n`],
    ['app name with ;', { version: 'v2' }, (y) => y.replace(/^app: parking$/m, `app: "parking;touch ${CANARY_DIR}/17"`)],
    ['image with $()', { version: 'v2' }, (y) => y.replace(/^image: .*$/m, `image: "$(touch ${CANARY_DIR}/18)"`)],
  ];

  // every row has three elements: jest would take a missing one for a `done` callback
  test.each(hostile.map(([name, inputs, edit]) => [name, inputs, edit ?? null] as const))('refused before any remote command: %s', async (_name, inputs, edit) => {
    const before = acceptedConnections(state);
    const r = await deploy(state, inputs.version ?? 'v2', { inputs, ...(edit ? { edit } : {}) });
    expect(r.exitCode).toBe(1);
    expect(r.annotations.filter((a) => a.level === 'error').length).toBeGreaterThanOrEqual(1);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .*\.js:\d+:\d+/);
    expect(acceptedConnections(state)).toEqual(before);
    expect(canaries()).toEqual([]);
  });

  test('values that are valid but hostile-looking are quoted, never executed (dry run prints them; a real run does not create the canary)', async () => {
    const edit = (y: string) => y.replace(/command: migrate/, `command: "migrate; echo '$(touch ${CANARY_DIR}/host)' >/dev/null"`);
    const dry = await deploy(state, 'v2', { inputs: { 'dry-run': 'true' }, edit });
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain(`sh -c 'migrate; echo '\\''$(touch ${CANARY_DIR}/host)'\\'' >/dev/null'`);
    expect(dry.stdout).toContain(`[dry-run] ${state.hosts[0]!.address}: pull`);
    expect(dry.stdout).toContain('[redacted]');
    // the runner consumes ::add-mask:: lines; everything else must not hold the password
    expect(dry.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n')).not.toContain(state.registry.password);
    expect(await lockDirs()).toBe('');
    expect(canaries()).toEqual([]);
  });

  test('no secret appears in logs, outputs or summary, of a good run or a failed one', async () => {
    const secrets = connectionInputs(state);
    const keyLines = secrets['ssh-private-key']!.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    for (const r of [await deploy(state, 'v2', { inputs: { 'github-token': 'ghs_supersecrettoken123' } }), await deploy(state, 'bad-health', { inputs: { 'github-token': 'ghs_supersecrettoken123' } })]) {
      const visible = r.everything.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');
      for (const line of keyLines) expect(visible).not.toContain(line);
      expect(visible).not.toContain(state.registry.password);
      expect(visible).not.toContain('ghs_supersecrettoken123');
    }
    await resetSandbox();
  });

  test('GitHub deployment records: created, in_progress, then success with environment_url and log_url; unreachable API warns once', async () => {
    const calls: { method: string; url: string; body: Record<string, unknown> }[] = [];
    const api = createServer(async (req: IncomingMessage, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      calls.push({ method: req.method!, url: req.url!, body: body ? JSON.parse(body) : {} });
      res.setHeader('content-type', 'application/json');
      // No deployment of this run yet (the job has no environment:), so the deploy creates one.
      if (req.method === 'GET') return void res.end('[]');
      res.statusCode = 201;
      res.end(JSON.stringify(req.url!.endsWith('/deployments') ? { id: 77 } : { id: calls.length }));
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    try {
      const r = await deploy(state, 'v2', { inputs: { 'github-token': 'ghs_x' }, env: { GITHUB_API_URL: url }, edit: (y) => y.replace(/url: \S+/, 'url: https://parking.example.com') });
      expect(r.exitCode).toBe(0);
      expect(calls.map((c) => `${c.method} ${c.url.replace(/\?.*/, '')}`)).toEqual(['GET /repos/acme/parking/deployments', 'POST /repos/acme/parking/deployments', 'POST /repos/acme/parking/deployments/77/statuses', 'POST /repos/acme/parking/deployments/77/statuses']);
      expect(calls[0]!.url).toContain('environment=production');
      expect(calls[1]!.body).toMatchObject({ environment: 'production', ref: '0123456789abcdef0123456789abcdef01234567' });
      expect(calls[2]!.body).toMatchObject({ state: 'in_progress' });
      expect(calls[3]!.body).toMatchObject({ state: 'success', environment_url: 'https://parking.example.com', log_url: 'https://github.com/acme/parking/actions/runs/4242' });
    } finally {
      api.close();
    }
    const offline = await deploy(state, 'v1', { inputs: { 'github-token': 'ghs_x' }, env: { GITHUB_API_URL: 'http://127.0.0.1:9' } });
    expect(offline.exitCode).toBe(0);
    expect(offline.annotations.filter((a) => a.level === 'warning' && /deployment records skipped/.test(a.message))).toHaveLength(1);
  });
});
