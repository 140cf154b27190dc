// End to end: the sandbox itself. Hosts reachable over SSH with verified host keys, compose stack
// serving v1 through nginx, the load generator seeing 0 failures at rest and failures during a
// naive deploy, reset back to the seed state.
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { startLoad } from '../../testkit/sandbox/load.js';
import { acceptedConnections, ensureSandbox, hostExec, httpGet, loadSandbox, resetSandbox, sandboxUnavailableReason, type SandboxHost, type SandboxState } from '../../testkit/sandbox/state.js';

jest.setTimeout(300_000);
const reason = sandboxUnavailableReason();
const inCI = process.env.CI === 'true';
if (reason) console.log(`sandbox end-to-end tests ${inCI ? 'cannot be skipped in CI' : 'skipped'}: ${reason}`);
const run = reason && !inCI ? describe.skip : describe;

let state: SandboxState;

function ssh(h: SandboxHost, script: string, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = [
    '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${state.knownHosts}`,
    '-o', 'ConnectTimeout=10', '-i', state.sshKey, '-p', String(h.port), `${h.user}@${h.address}`, script,
  ];
  return new Promise((resolve) => {
    const child = execFile('ssh', args, { timeout: 180_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? '');
  });
}

const get = httpGet;
const accepted = acceptedConnections;
const targets = () => state.hosts.map((h) => `http://${h.address}/`);
const served = async () => Promise.all(state.hosts.map(async (h) => /parking web (\S+)/.exec((await get(`http://${h.address}/`)).body)?.[1] ?? '?'));
const migrations = async (h: SandboxHost) =>
  (await hostExec(h, ['sh', '-c', `docker run --rm -v ${state.app}_data:/data --entrypoint /bin/cat ${state.image}:v1 /data/migrations.log 2>/dev/null || true`]))
    .split('\n')
    .filter(Boolean);

if (reason && inCI) {
  test('the sandbox is available in CI', () => {
    expect(reason).toBeNull();
  });
}

run('sandbox', () => {
  beforeAll(async () => {
    state = loadSandbox() ?? (await ensureSandbox());
    await resetSandbox();
    state = loadSandbox()!;
  });

  test('state file: hosts, key, known_hosts, registry, config', () => {
    expect(state.hosts.length).toBeGreaterThanOrEqual(1);
    for (const h of state.hosts) {
      expect(h).toMatchObject({ port: 22, user: 'deployer' });
      expect(h.address).toMatch(/^10\.\d+\.0\.\d+$/);
      expect(h.hostKeyPub).toMatch(/^ssh-ed25519 AAAA/);
      expect(existsSync(h.sshLog)).toBe(true);
      expect(existsSync(`/proc/${h.pid}`)).toBe(true);
    }
    const kh = readFileSync(state.knownHosts, 'utf8');
    for (const h of state.hosts) expect(kh).toContain(`${h.address} ${h.hostKeyPub}`);
    expect(existsSync(state.sshKey)).toBe(true);
    expect(state.registry).toMatchObject({ username: 'ci' });
    expect(state.registry.password.length).toBeGreaterThan(8);
    expect(state.image).toBe(`${state.registry.address}/parking/web`);
    const config = readFileSync(state.configFile, 'utf8');
    for (const h of state.hosts) expect(config).toContain(`- ${h.address}`);
    expect(config).toMatch(/upstream-file: nginx\/conf\.d\/upstream\.conf/);
    expect(config).toMatch(/migrate:\n\s+command: migrate/);
  });

  test('smoke: SSH with a verified host key to every host, compose stack up, nginx serves v1', async () => {
    for (const h of state.hosts) {
      const before = accepted(h);
      const r = await ssh(h, `cd ${state.appDir} && docker compose -p ${state.app} ps --format '{{.Service}} {{.State}}' && id -nG && touch .write-test && rm .write-test`);
      expect(r).toMatchObject({ code: 0 });
      const lines = r.stdout.trim().split('\n');
      expect(lines).toEqual(expect.arrayContaining(['nginx running', 'web running', 'worker running', 'beat running']));
      expect(lines.at(-1)).toMatch(/\bdocker\b/);
      expect(accepted(h)).toBe(before + 1);
      const res = await get(`http://${h.address}/`);
      expect(res.status).toBe(200);
      expect(res.body).toMatch(/parking web v1/);
      expect(await get(`http://${h.address}/health/`)).toMatchObject({ status: 200 });
      expect(existsSync(`${h.dir ?? '/nonexistent'}/opt/parking/.parking-ci`)).toBe(false);
    }
  });

  test('an unknown host key is refused (StrictHostKeyChecking against the sandbox known_hosts)', async () => {
    const h = state.hosts[0]!;
    const r = await new Promise<number>((resolve) =>
      execFile('ssh', ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', 'UserKnownHostsFile=/dev/null', '-i', state.sshKey, `deployer@${h.address}`, 'true'], (err) =>
        resolve(err ? ((err as { code?: number }).code ?? 1) : 0),
      ),
    );
    expect(r).not.toBe(0);
  });

  test('hostExec runs inside the host: its own docker daemon and /opt', async () => {
    const names = await Promise.all(state.hosts.map((h) => hostExec(h, ['docker', 'info', '--format', '{{.DockerRootDir}}'])));
    expect(new Set(names.map((n) => n.trim())).size).toBe(state.hosts.length);
    const upstream = await hostExec(state.hosts[0]!, ['cat', `${state.appDir}/nginx/conf.d/upstream.conf`]);
    expect(upstream).toMatch(/upstream app \{\s*server [\d.]+:8000;\s*\}/);
    // nginx reload inside the container works
    await hostExec(state.hosts[0]!, ['docker', 'compose', '-p', state.app, '--project-directory', state.appDir, 'exec', '-T', 'nginx', 'nginx', '-s', 'reload']);
  });

  test('registry: basic auth required, the version tags exist', async () => {
    expect((await get(`http://${state.registry.address}/v2/`)).status).toBe(401);
    const auth = Buffer.from(`${state.registry.username}:${state.registry.password}`).toString('base64');
    for (const tag of Object.values(state.versions)) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`http://${state.registry.address}/v2/parking/web/manifests/${tag}`, {
          method: 'HEAD',
          headers: { authorization: `Basic ${auth}`, accept: 'application/vnd.docker.distribution.manifest.v2+json' },
        }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
        req.on('error', reject);
        req.end();
      });
      expect([tag, status]).toEqual([tag, 200]);
    }
  });

  test('app image flavors: bad-health answers 500 on /health/, bad-migrate fails its migration, workers stop at once', async () => {
    const h = state.hosts[0]!;
    const out = await hostExec(h, ['sh', '-c', [
      `id=$(docker run -d ${state.image}:bad-health)`,
      'sleep 1',
      'docker exec $id wget -q -O- http://127.0.0.1:8000/ | head -1',
      'docker exec $id wget -q -O- http://127.0.0.1:8000/health/ 2>&1 | tail -1; true',
      'docker rm -f $id >/dev/null',
      `docker run --rm ${state.image}:bad-migrate migrate 2>&1; echo "exit=$?"`,
      `id=$(docker run -d ${state.image}:v1 worker)`,
      'sleep 0.5; s=$(date +%s%N); docker stop $id >/dev/null; echo "stop_ms=$(( ($(date +%s%N) - s) / 1000000 ))"; docker rm $id >/dev/null',
    ].join('\n')]);
    expect(out).toMatch(/parking web bad-health/);
    expect(out).toMatch(/500/);
    expect(out).toMatch(/simulated migration failure[\s\S]*exit=1/);
    const stopMs = Number(/stop_ms=(\d+)/.exec(out)?.[1]);
    expect(stopMs).toBeLessThan(3000);
  });

  test('slow: refuses connections at first, healthy about 10 s after start', async () => {
    const out = await hostExec(state.hosts[0]!, ['sh', '-c', [
      `docker pull -q ${state.image}:slow >/dev/null`,
      `id=$(docker run -d ${state.image}:slow)`,
      's=$(date +%s)',
      'sleep 2; docker exec $id wget -q -O- http://127.0.0.1:8000/health/ >/dev/null 2>&1 && echo early=up || echo early=down',
      'until docker exec $id wget -q -O- http://127.0.0.1:8000/health/ >/dev/null 2>&1; do sleep 0.5; [ $(( $(date +%s) - s )) -lt 30 ] || break; done',
      'echo "healthy_after=$(( $(date +%s) - s ))"',
      'docker rm -f $id >/dev/null',
    ].join('\n')]);
    expect(out).toMatch(/early=down/);
    const after = Number(/healthy_after=(\d+)/.exec(out)?.[1]);
    expect(after).toBeGreaterThanOrEqual(8);
    expect(after).toBeLessThanOrEqual(15);
  });

  test('load generator: 0 failures while nothing changes', async () => {
    const report = await startLoad({ targets: targets(), rate: 200, durationMs: 5000 }).done;
    expect(report.requests).toBeGreaterThanOrEqual(950);
    expect({ failed: report.failed, failures: report.failures }).toEqual({ failed: 0, failures: { connection: 0, reset: 0, timeout: 0, non2xx: 0 } });
    expect(report.ok).toBe(report.requests);
    expect(report.latency.p50).toBeGreaterThan(0);
  });

  test('load generator sees the failures of a naive deploy (compose pull/up/exec migrate, host after host)', async () => {
    const image = `${state.image}:v2`;
    const script = [
      'set -e',
      `docker login -u ${state.registry.username} --password-stdin ${state.registry.address} >/dev/null 2>&1`,
      `cd ${state.appDir}`,
      `export PARKING_IMAGE=${image}`,
      `docker compose -p ${state.app} pull -q`,
      `docker compose -p ${state.app} up -d`,
      `docker compose -p ${state.app} exec -T web migrate`,
    ].join('\n');
    const load = startLoad({ targets: targets(), rate: 200, durationMs: 120_000 });
    await new Promise((r) => setTimeout(r, 1000));
    try {
      for (const h of state.hosts) {
        const r = await ssh(h, script, `${state.registry.password}\n`);
        expect({ host: h.name, code: r.code, stderr: r.code ? r.stderr : '' }).toEqual({ host: h.name, code: 0, stderr: '' });
      }
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      const report = await load.stop();
      console.log(`naive deploy under load: ${JSON.stringify({ requests: report.requests, failed: report.failed, failures: report.failures, statusCodes: report.statusCodes })}`);
      expect(report.failed).toBeGreaterThan(0);
    }
    for (const h of state.hosts) expect(await migrations(h)).toEqual([expect.stringMatching(/^v2 \d{4}-\d\d-\d\dT/)]);
  });

  test('reset: back to v1 everywhere, empty data volume, no .parking-ci', async () => {
    for (const h of state.hosts) await hostExec(h, ['sh', '-c', `mkdir -p ${state.appDir}/.parking-ci && touch ${state.appDir}/.parking-ci/releases.jsonl`]);
    await resetSandbox();
    state = loadSandbox()!;
    expect(await served()).toEqual(state.hosts.map(() => 'v1'));
    for (const h of state.hosts) {
      expect(await migrations(h)).toEqual([]);
      expect((await hostExec(h, ['sh', '-c', `test -e ${state.appDir}/.parking-ci && echo yes || echo no`])).trim()).toBe('no');
    }
    const report = await startLoad({ targets: targets(), rate: 100, durationMs: 2000 }).done;
    expect(report.failed).toBe(0);
  });
});
