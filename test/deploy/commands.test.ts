import { spawnSync } from 'node:child_process';
import { and, quote, raw, render, renderScript, secret } from '../../src/commands/shell.js';
import { compose, overrideYaml, parseContainers, startBesideScript } from '../../src/commands/compose.js';
import { healthCheckScript, parseHealth } from '../../src/commands/health.js';
import { lockScript, parseHostFacts, pullScript, unlockScript } from '../../src/commands/host.js';
import { parseUpstreamServers, upstreamConfig } from '../../src/commands/nginx.js';
import { currentRelease, parseReleases, previousRelease, releasesToPrune, type Release } from '../../src/commands/releases.js';
import { parseConfig } from '../../src/config/load.js';
import { hasKnownHost } from '../../src/remote/known-hosts.js';
import { classifyConnectFailure } from '../../src/remote/ssh.js';
import { imageRef, versionOf } from '../../src/commands/releases.js';
import { hostBatches } from '../../src/deploy/strategies/strategy.js';

const config = parseConfig(
  `app: parking
image: registry.example.com/acme/parking-web
environments:
  production:
    hosts: [10.0.0.11, "10.0.0.12:2222", 10.0.0.13]
    ssh: {user: deployer}
    app-dir: /opt/parking management
    services: [web, worker]
    singleton-services: [beat]
    migrate: {command: "python manage.py migrate --noinput"}
`.replace('/opt/parking management', '/opt/parking-management'),
  'c.yml',
);
const env = config.environments.production!;

/** What bash makes of a quoted word: the word itself. */
function roundTrip(value: string): string {
  return spawnSync('bash', ['-c', `printf '%s' ${quote(value)}`], { encoding: 'utf8' }).stdout;
}

describe('quote: the one quoting function', () => {
  const hostile = ["v1'; touch /tmp/pwned; '", '$(touch /tmp/pwned)', '`id`', 'a\nb', 'a b', '"', "'", '\\', '*', '-rf', '', '${HOME}', 'a;b|c&d>e<f', '\u00e9t\u00e9'];
  test.each(hostile)('bash reads %j back unchanged', (value) => {
    expect(roundTrip(value)).toBe(value);
  });
  test('safe words stay bare, others are single-quoted', () => {
    expect(quote('sha256:abc')).toBe('sha256:abc');
    expect(quote('/opt/app/file.yml')).toBe('/opt/app/file.yml');
    expect(quote("it's")).toBe("'it'\\''s'");
  });
  test('raw syntax is kept, secrets are redacted when logging', () => {
    const argv = ['printf', '%s', secret('hunter2'), raw('|'), 'docker', 'login', '--password-stdin'];
    expect(render(argv)).toBe('printf %s hunter2 | docker login --password-stdin');
    expect(render(argv, true)).toBe('printf %s [redacted] | docker login --password-stdin');
    expect(render(and(['a'], ['b c']))).toBe("a && 'b c'");
  });
});

describe('command builders', () => {
  test('compose pins project, directory, file and override', () => {
    expect(render(compose({ app: 'parking', env, flavor: 'plugin', override: '/opt/parking-management/.parking-ci/compose/v2.yml' }, 'up', '-d'))).toBe(
      'docker compose --project-name parking --project-directory /opt/parking-management -f /opt/parking-management/docker-compose.yml -f /opt/parking-management/.parking-ci/compose/v2.yml up -d',
    );
    expect(render(compose({ app: 'parking', env, flavor: 'standalone' }, 'ps'))).toMatch(/^docker-compose --project-name parking /);
  });

  test('the override pins every app service and singleton to one image', () => {
    expect(overrideYaml(env, 'registry.example.com/acme/parking-web:v2')).toContain('web:\n    image: registry.example.com/acme/parking-web:v2\n  worker:\n    image: registry.example.com/acme/parking-web:v2\n  beat:\n    image:');
  });

  test('a new web container starts beside the old one without recreating it', () => {
    const text = renderScript(startBesideScript({ app: 'parking', env, flavor: 'plugin', override: '/x.yml' }, 'web', 1, 1));
    expect(text).toContain('up --detach --no-deps --no-recreate --pull never --scale web=2 -- web');
    expect(text).toContain('label=com.docker.compose.service=web');
  });

  test('the lock is one atomic mkdir and is only released by its owner', () => {
    const lock = renderScript(lockScript(env, 'run-1', { actor: 'octocat' }));
    expect(lock).toContain('if mkdir /opt/parking-management/.parking-ci/lock 2>/dev/null; then');
    expect(lock).toContain(`printf '%s\\n' '{"actor":"octocat"}' > /opt/parking-management/.parking-ci/lock/info.json`);
    expect(renderScript(unlockScript(env, 'run-1'))).toBe(
      'if [ "$(cat /opt/parking-management/.parking-ci/lock/owner 2>/dev/null)" = run-1 ]; then rm -rf /opt/parking-management/.parking-ci/lock ; echo released; else echo not-ours; fi',
    );
  });

  test('the registry password goes through stdin and never appears in the logged script', () => {
    const script = pullScript('r/web:v2', { server: 'r', username: 'ci', password: "pa$$ 'w" });
    expect(renderScript(script, true)).not.toContain('pa$$');
    expect(renderScript(script)).toContain(`printf %s 'pa$$ '\\''w' | docker login --username ci --password-stdin -- r`);
  });

  test('the health probe passes address, port and path as arguments, not as code', () => {
    const text = renderScript(healthCheckScript({ containerId: 'abc', address: '172.18.0.5', port: 8000, path: "/health/?x=';id;'", expectStatus: 200, timeoutMs: 5000, intervalMs: 500, failureThreshold: 3 }));
    expect(text).toContain(`172.18.0.5 8000 '/health/?x='\\'';id;'\\'''`);
    expect(text).toMatch(/^sleep 0\.500$/m);
  });

  test('upstream file round trip', () => {
    const text = upstreamConfig('app', ['172.18.0.5:8000', '172.18.0.9:8000'], 'v2');
    expect(text).toContain('upstream app {\n    server 172.18.0.5:8000 max_fails=0;');
    expect(parseUpstreamServers(text)).toEqual(['172.18.0.5:8000', '172.18.0.9:8000']);
  });
});

describe('parsers of remote output', () => {
  test('host facts sections', () => {
    const facts = parseHostFacts(
      '### preflight\ncompose=plugin\ndisk_free_kb=1048576\ndocker=20.10.24\n### config\n{"services":{"web":{}}}\n### containers\nabc\tweb\tr/web:v1\trunning\tsha256:1\tparking_default=172.18.0.3 \t2026\n### releases\n{"version":"v1","status":"deployed","image":"r/web:v1"}\n### lock\n### upstream\nupstream app {}\n### images\n### end\n',
    );
    expect(facts).toMatchObject({ compose: 'plugin', diskFreeKb: 1048576, complete: true, composeConfig: { services: { web: {} } } });
    expect(facts.containers[0]).toMatchObject({ id: 'abc', service: 'web', networks: { parking_default: '172.18.0.3' } });
  });
  test('containers with several networks', () => {
    expect(parseContainers('id\tweb\timg\trunning\tsha\ta=1.1.1.1 b=2.2.2.2 \tt')[0]!.networks).toEqual({ a: '1.1.1.1', b: '2.2.2.2' });
  });
  test('health output', () => {
    const h = parseHealth('attempt 3 no-answer\nattempt 510 500\nunhealthy\n### response\nHTTP/1.0 500 Internal\n\nboom\n### logs\nTraceback\n');
    expect(h).toEqual({ healthy: false, attempts: [{ ms: 3, status: 'no-answer' }, { ms: 510, status: '500' }], lastResponse: 'HTTP/1.0 500 Internal\n\nboom', logs: 'Traceback' });
  });
});

describe('release history', () => {
  const line = (version: string, status: Release['status']) => ({ version, image: `r/web:${version}`, digest: '', status, at: '', 'git-sha': '', actor: '', 'run-url': '' });
  const history = [line('v1', 'deployed'), line('v2', 'deployed'), line('v3', 'deployed'), line('v4', 'rolled-back'), line('v3', 'deployed')];
  test('current is the newest deployed line; previous skips rolled-back and failed versions', () => {
    expect(currentRelease(history)?.version).toBe('v3');
    expect(previousRelease(history)?.version).toBe('v2');
    expect(previousRelease([...history, line('v2', 'rolled-back'), line('v3', 'deployed')])?.version).toBe('v1');
  });
  test('a torn last line does not hide the rest', () => {
    expect(parseReleases('{"version":"v1","status":"deployed"}\n{"version":"v2","sta').map((r) => r.version)).toEqual(['v1']);
  });
  test('pruning keeps the last keep-releases deployed images and anything in use', () => {
    const h = ['v1', 'v2', 'v3', 'v4', 'v5', 'v6'].map((v) => line(v, 'deployed'));
    expect(releasesToPrune(h, 3, [])).toEqual(['r/web:v3', 'r/web:v2', 'r/web:v1']);
    expect(releasesToPrune(h, 3, ['r/web:v1'])).toEqual(['r/web:v3', 'r/web:v2']);
  });
});

describe('small decisions', () => {
  test('image references from tags and digests', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(imageRef('r:5000/web', 'v2')).toBe('r:5000/web:v2');
    expect(imageRef('r:5000/web', d)).toBe(`r:5000/web@${d}`);
    expect(versionOf('r:5000/web:v2')).toBe('v2');
    expect(versionOf(`r:5000/web@${d}`)).toBe(d);
    expect(versionOf('r:5000/web')).toBe('latest');
  });
  test('batches: a count or a percentage of hosts', () => {
    expect(hostBatches(env.hosts, { count: 2 }).map((b) => b.length)).toEqual([2, 1]);
    expect(hostBatches(env.hosts, { percent: 50 }).map((b) => b.length)).toEqual([2, 1]);
    expect(hostBatches(env.hosts, { percent: 100 }).map((b) => b.length)).toEqual([3]);
  });
  test('known_hosts: plain, [host]:port and hashed entries', () => {
    const kh = '10.0.0.11 ssh-ed25519 AAAA\n[10.0.0.12]:2222 ssh-ed25519 AAAA\n|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= ssh-rsa AAAA\n';
    expect(hasKnownHost(kh, '10.0.0.11', 22)).toBe(true);
    expect(hasKnownHost(kh, '10.0.0.12', 2222)).toBe(true);
    expect(hasKnownHost(kh, '10.0.0.12', 22)).toBe(false);
    expect(hasKnownHost(kh, '192.168.1.61', 22)).toBe(true); // the hashed example of sshd(8)
  });
  test('ssh failures say what to do', () => {
    const host = env.hosts[0]!;
    expect(classifyConnectFailure(host, 'debug1: Server host key: ssh-ed25519 SHA256:abc\n@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@').message).toMatch(/10\.0\.0\.11: host key CHANGED — it presented ssh-ed25519 SHA256:abc.*ssh-keyscan -p 22 10\.0\.0\.11/);
    expect(classifyConnectFailure(host, 'debug1: Server host key: ssh-ed25519 SHA256:abc\nNo ED25519 host key is known for 10.0.0.11 and you have requested strict checking.\nHost key verification failed.').kind).toBe('host-key-unknown');
    expect(classifyConnectFailure(host, 'deployer@10.0.0.11: Permission denied (publickey).').kind).toBe('auth');
    expect(classifyConnectFailure(host, 'ssh: connect to host 10.0.0.11 port 22: Connection refused').message).toBe('10.0.0.11: cannot connect to port 22 (Connection refused)');
  });
});
