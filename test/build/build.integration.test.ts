// The build action run as the runner runs it, against a stand-in `docker` that records every call:
// proves what is passed where (password on stdin only, private DOCKER_CONFIG, argv) without a daemon.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction } from '../../testkit/run-action.js';

const PASSWORD = 'correct-horse-battery-staple';
const DIGEST = 'sha256:5ba6418c935cf956ca9ce61513b045058719a788712f4ac0bc841f177782531f';

const FAKE_DOCKER = `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
let stdin = '';
try { stdin = fs.readFileSync(0, 'utf8'); } catch {}
const cfg = process.env.DOCKER_CONFIG || '';
fs.appendFileSync(process.env.FAKE_DOCKER_LOG, JSON.stringify({ args, stdin, dockerConfig: cfg, configExists: cfg ? fs.existsSync(cfg) : false }) + '\\n');
const cmd = args.slice(0, 2).join(' ');
if (args[0] === 'login') {
  if (stdin !== ${JSON.stringify(PASSWORD)}) { process.stderr.write('Error response from daemon: login attempt to http://10.231.0.1:5000/v2/ failed with status: 401 Unauthorized\\n'); process.exit(1); }
  fs.writeFileSync(path.join(cfg, 'config.json'), JSON.stringify({ auths: { [args[1]]: { auth: Buffer.from(args[3] + ':' + stdin).toString('base64') } } }));
  process.stderr.write('WARNING! Your credentials are stored unencrypted\\n'); console.log('Login Succeeded');
} else if (cmd === 'buildx inspect') {
  console.log('Name:   default\\nDriver: docker\\n');
} else if (cmd === 'buildx build') {
  const meta = args[args.indexOf('--metadata-file') + 1];
  fs.writeFileSync(meta, JSON.stringify({ 'containerimage.digest': ${JSON.stringify(DIGEST)} }));
  process.stderr.write('#4 [1/2] COPY busybox /bin/busybox\\n#4 CACHED\\n\\n#5 [2/2] COPY app /app\\n#5 DONE 0.1s\\n');
} else if (cmd === 'buildx imagetools') {
  console.log(JSON.stringify({ schemaVersion: 2, layers: [{ digest: 'sha256:aa', size: 1000 }, { digest: 'sha256:bb', size: 24 }] }));
} else { process.stderr.write('unexpected docker ' + args.join(' ') + '\\n'); process.exit(2); }
`;

interface Call {
  args: string[];
  stdin: string;
  dockerConfig: string;
  configExists: boolean;
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'build-int-'));
  const bin = join(dir, 'bin');
  const home = join(dir, 'home');
  mkdirSync(bin);
  mkdirSync(join(home, '.docker'), { recursive: true });
  writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ auths: {}, credsStore: 'desktop' }));
  writeFileSync(join(bin, 'docker'), FAKE_DOCKER);
  chmodSync(join(bin, 'docker'), 0o755);
  const workspace = join(dir, 'ws');
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\n');
  const log = join(dir, 'calls.jsonl');
  const calls = (): Call[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Call) : []);
  const env = { PATH: `${bin}:${process.env.PATH}`, HOME: home, FAKE_DOCKER_LOG: log, DOCKER_CONFIG: undefined, GITHUB_REF: 'refs/heads/main' };
  return { workspace, env, calls, home };
}

const event = { ref: 'refs/heads/main', repository: { default_branch: 'main', name: 'parking', html_url: 'https://github.com/acme/parking' } };
const inputs = (password: string) => ({
  image: '10.231.0.1:5000/parking/web',
  username: 'ci',
  password,
  'build-args': 'GREETING=hello $(id)\nEMPTY=',
  'cache-to': 'type=registry,ref=10.231.0.1:5000/parking/web:buildcache,mode=max',
});
/** The runner consumes ::add-mask:: commands; they never reach the log a person reads. */
const visible = (everything: string) => everything.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');

describe('build action (runner protocol, stand-in docker)', () => {
  test('logs in with the password on stdin in a private DOCKER_CONFIG, builds, and reports digest, image and tags', async () => {
    const t = setup();
    const r = await runAction('build', { workspace: t.workspace, event, env: t.env, inputs: inputs(PASSWORD) });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toEqual({
      digest: DIGEST,
      image: `10.231.0.1:5000/parking/web@${DIGEST}`,
      tags: 'sha-0123456\nmain\nlatest',
    });

    const calls = t.calls();
    expect(calls.map((c) => c.args.slice(0, 2).join(' '))).toEqual(['login 10.231.0.1:5000', 'buildx inspect', 'buildx build', 'buildx imagetools']);
    expect(calls[0]!.stdin).toBe(PASSWORD);
    for (const c of calls) {
      expect(c.args.join(' ')).not.toContain(PASSWORD);
      expect(c.dockerConfig.startsWith(r.dirs.temp)).toBe(true);
    }
    // removed at the end; the user's own config untouched
    expect(existsSync(calls[0]!.dockerConfig)).toBe(false);
    expect(JSON.parse(readFileSync(join(t.home, '.docker', 'config.json'), 'utf8'))).toEqual({ auths: {}, credsStore: 'desktop' });

    const build = calls[2]!.args;
    expect(build).toContain('GREETING=hello $(id)');
    expect(build).toContain('EMPTY=');
    expect(build).toContain('10.231.0.1:5000/parking/web:buildcache'); // inline cache under the cache ref (docker driver)
    expect(build).toContain('type=inline');
    expect(build).toContain('org.opencontainers.image.source=https://github.com/acme/parking');
    expect(build.at(-2)).toBe('--push');

    expect(r.summary).toContain('1.00 KiB compressed, 2 layers');
    expect(r.summary).toContain('1 of 2 steps cached');
    expect(r.summary).toContain('main is the default branch');
    expect(r.annotations.some((a) => a.level === 'warning' && a.message.includes('cannot export a registry cache'))).toBe(true);
    expect(visible(r.everything)).not.toContain(PASSWORD);
  });

  test('a wrong password fails with one clear line and appears nowhere in the output', async () => {
    const t = setup();
    const wrong = 'wrong-password-4711';
    const r = await runAction('build', { workspace: t.workspace, event, env: t.env, inputs: inputs(wrong) });
    expect(r.exitCode).toBe(1);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe(
      'docker login to 10.231.0.1:5000 as ci failed: the registry refused the username and password (check the username and password inputs): login attempt to http://10.231.0.1:5000/v2/ failed with status: 401 Unauthorized',
    );
    expect(visible(r.everything)).not.toContain(wrong);
    expect(visible(r.everything)).not.toContain(Buffer.from(`ci:${wrong}`).toString('base64'));
    expect(t.calls()).toHaveLength(1);
    expect(existsSync(t.calls()[0]!.dockerConfig)).toBe(false);
  });

  test('without credentials, no login and the user\'s DOCKER_CONFIG is used as it is', async () => {
    const t = setup();
    const r = await runAction('build', { workspace: t.workspace, event, env: t.env, inputs: { image: '10.231.0.1:5000/parking/web', tags: 'v1\nstable', push: 'false' } });
    expect(r.exitCode).toBe(0);
    expect(r.outputs.tags).toBe('v1\nstable');
    const calls = t.calls();
    expect(calls.map((c) => c.args[0])).not.toContain('login');
    expect(calls.every((c) => c.dockerConfig === '')).toBe(true);
    expect(calls.find((c) => c.args[1] === 'build')!.args).toContain('--load');
  });

  test('a deleted ref and a bad tag input fail before docker runs', async () => {
    const t = setup();
    const deleted = await runAction('build', { workspace: t.workspace, event: { ref: 'refs/heads/old', deleted: true }, env: t.env, inputs: { image: 'acme/web' } });
    expect(deleted.exitCode).toBe(1);
    expect(deleted.annotations[0]!.message).toContain('the push event deleted refs/heads/old: there is nothing to build');
    const badTag = await runAction('build', { workspace: t.workspace, event, env: t.env, inputs: { image: 'acme/web', tags: 'ok,.bad' } });
    expect(badTag.annotations[0]!.message).toContain('input "tags": ".bad" is not a valid Docker tag');
    expect(t.calls()).toHaveLength(0);
  });
});
