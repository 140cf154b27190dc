// End to end on the sandbox: the build action, run as the runner runs it against the sandbox's
// "runner" dockerd, builds a small image FROM scratch with buildx and pushes it to the registry
// with basic auth. What it proves is named in each test.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ActionResult, runAction } from '../../testkit/run-action.js';

// The sandbox's state module (testkit/sandbox/state.ts), typed by what this test uses. Loaded by a
// computed path so a checkout without it still type-checks and skips here with the reason.
interface SandboxState {
  registry: { address: string; username: string; password: string };
  runnerDocker: string;
}
interface SandboxModule {
  loadSandbox: () => SandboxState | Promise<SandboxState>;
  sandboxUnavailableReason: () => string | null | Promise<string | null>;
}
const STATE_MODULE = '../../testkit/sandbox/state.js';
const sandboxModule = (await import(STATE_MODULE).catch(() => undefined)) as SandboxModule | undefined;
const reason = sandboxModule ? await sandboxModule.sandboxUnavailableReason() : 'testkit/sandbox/state.ts is missing from this checkout';
const skip = reason !== null && process.env.CI !== 'true';
if (skip) console.log(`build e2e skipped: ${reason}`);
const maybe = skip ? describe.skip : describe;

function loadSandbox(): SandboxState | Promise<SandboxState> {
  if (!sandboxModule) throw new Error(reason ?? 'no sandbox');
  return sandboxModule.loadSandbox();
}
const sandbox = skip ? undefined : await loadSandbox();

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

interface Registry {
  address: string;
  username: string;
  password: string;
}

/** One registry request with basic auth, through node's http (the registry speaks plain HTTP here). */
function registry(reg: Registry, method: 'GET' | 'HEAD', path: string, accept = ACCEPT): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const [host, port] = reg.address.split(':');
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port: Number(port ?? 80), method, path, headers: { Accept: accept, Authorization: `Basic ${Buffer.from(`${reg.username}:${reg.password}`).toString('base64')}` } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A build context: busybox FROM scratch, a build arg that lands in a label, and an app layer. */
function buildContext(): string {
  const dir = mkdtempSync(join(tmpdir(), 'build-e2e-ctx-'));
  copyFileSync('/bin/busybox', join(dir, 'busybox'));
  mkdirSync(join(dir, 'app'));
  writeFileSync(join(dir, 'app', 'hello.txt'), `built by the build e2e test at ${new Date().toISOString()}\n`);
  writeFileSync(
    join(dir, 'Dockerfile'),
    ['FROM scratch', 'COPY busybox /bin/busybox', 'ARG GREETING=unset', 'LABEL greeting=$GREETING', 'COPY app /app', 'CMD ["/bin/busybox", "cat", "/app/hello.txt"]', ''].join('\n'),
  );
  return dir;
}

/** The runner consumes ::add-mask:: commands; they never reach the log a person reads. */
const visible = (r: ActionResult) => r.everything.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');

maybe('build action end to end (sandbox registry with basic auth, buildx on the runner dockerd)', () => {
  const reg: Registry = sandbox ? sandbox.registry : { address: '', username: '', password: '' };
  const runnerDocker = sandbox?.runnerDocker ?? '';
  // A repository of its own per run, so nothing here meets the deploy tests' images.
  const repo = `build-e2e/web-${Date.now().toString(36)}`;
  const image = `${reg.address}/${repo}`;
  const cacheRef = `${image}:buildcache`;
  const sha = (Date.now().toString(16) + 'c0ffee'.repeat(7)).slice(0, 40);
  const workspace = buildContext();
  const pushEvent = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'octokit_push_with-new-branch.payload.json'), 'utf8')) as object;
  const run = (inputs: Record<string, string>) =>
    runAction('build', {
      workspace,
      event: pushEvent,
      eventName: 'push',
      env: { DOCKER_HOST: runnerDocker, GITHUB_REF: 'refs/heads/master', GITHUB_SHA: sha },
      inputs: {
        image,
        username: reg.username,
        password: reg.password,
        'build-args': 'GREETING=hello $(id) `uname` "quoted"',
        'cache-from': `type=registry,ref=${cacheRef}`,
        'cache-to': `type=registry,ref=${cacheRef},mode=max`,
        ...inputs,
      },
      timeoutMs: 5 * 60_000,
    });
  let first: ActionResult;

  beforeAll(async () => {
    first = await run({});
  }, 6 * 60_000);

  test('every computed tag is pushed, and the digest output is what the registry returns for each of them', async () => {
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const digest = first.outputs.digest!;
    expect(digest).toMatch(DIGEST); // the format deploy accepts as `version`
    expect(first.outputs.image).toBe(`${image}@${digest}`);
    const tags = first.outputs.tags!.split('\n');
    expect(tags).toEqual([`sha-${sha.slice(0, 7)}`, 'master', 'latest']);
    for (const tag of tags) {
      const head = await registry(reg, 'HEAD', `/v2/${repo}/manifests/${tag}`);
      expect({ tag, status: head.status, digest: head.headers['docker-content-digest'] }).toEqual({ tag, status: 200, digest });
    }
    expect(first.summary).toContain(digest);
    expect(first.summary).toMatch(/<td>Size<\/td><td>\d[\d.]* (KiB|MiB) (compressed|uncompressed)/);
  });

  test('the pushed image carries the build arg verbatim (no shell) and the OCI labels', async () => {
    const manifest = JSON.parse((await registry(reg, 'GET', `/v2/${repo}/manifests/${first.outputs.digest}`)).body) as { config: { digest: string } };
    const config = JSON.parse((await registry(reg, 'GET', `/v2/${repo}/blobs/${manifest.config.digest}`, '*/*')).body) as { config: { Labels: Record<string, string> } };
    expect(config.config.Labels).toMatchObject({
      greeting: 'hello $(id) `uname` "quoted"',
      'org.opencontainers.image.revision': sha,
      'org.opencontainers.image.version': 'master',
      'org.opencontainers.image.source': 'https://github.com/Codertocat/Hello-World',
      'org.opencontainers.image.title': 'Hello-World',
    });
  });

  test('a second build with the registry cache reuses the layers, and the summary shows it', async () => {
    // Empty the engine's own build cache, so only the registry cache can answer.
    execFileSync('docker', ['-H', runnerDocker, 'builder', 'prune', '--all', '--force'], { stdio: 'ignore' });
    const second = await run({ tags: 'rebuild' });
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain(`importing cache manifest from ${cacheRef}`);
    const cache = /<td>Cache<\/td><td>(\d+) of (\d+) steps cached/.exec(second.summary);
    expect(cache).not.toBeNull();
    expect(Number(cache![1])).toBe(Number(cache![2]));
    expect(Number(cache![2])).toBeGreaterThanOrEqual(2);
    const head = await registry(reg, 'HEAD', `/v2/${repo}/manifests/rebuild`);
    expect(head.headers['docker-content-digest']).toBe(second.outputs.digest);
  }, 6 * 60_000);

  test('a wrong password fails with one clear line, and the password appears nowhere', async () => {
    const wrong = `not-the-password-${Date.now()}`;
    const r = await run({ password: wrong });
    expect(r.exitCode).toBe(1);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(new RegExp(`^docker login to ${reg.address.replace(/\./g, '\\.')} as ${reg.username} failed: the registry refused the username and password`));
    expect(visible(r)).not.toContain(wrong);
    expect(visible(r)).not.toContain(reg.password);
  }, 2 * 60_000);
});
