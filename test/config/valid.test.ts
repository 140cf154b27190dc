import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDuration, formatDuration } from '../../src/config/duration.js';
import { loadConfig, parseConfig, selectEnvironment } from '../../src/config/load.js';
import { UserError, ValidationError } from '../../src/errors.js';

const FILE = '.github/parking-ci.yml';

/** The example of spec §2, as a user would write it. */
const SPEC_EXAMPLE = `app: parking
image: registry.example.com/acme/parking-web
registry:
  server: registry.example.com
  username: ci
environments:
  production:
    url: https://parking.example.com
    hosts:
      - 10.0.0.11
      - 10.0.0.12:2222
    ssh:
      user: deployer
      port: 22
      proxy-jump: deployer@bastion.example.com
    app-dir: /opt/parking-management
    compose-file: docker-compose.prod.yml
    services: [web, worker]
    web-service: web
    singleton-services: [beat]
    proxy-service: nginx
    upstream-file: nginx/conf.d/upstream.conf
    upstream-name: app
    strategy: rolling
    batch-size: 1
    max-failed-hosts: 0
    health:
      path: /health/
      port: 8000
      expect-status: 200
      timeout: 60s
      interval: 1s
    drain: 5s
    migrate:
      command: python manage.py migrate --noinput
    keep-releases: 5
`;

const MINIMAL = `app: parking
image: registry.example.com/acme/parking-web
environments:
  staging:
    hosts: [staging.example.com]
    app-dir: /opt/parking/
`;

describe('a valid config', () => {
  test('the spec example loads as written', () => {
    const config = parseConfig(SPEC_EXAMPLE, FILE);
    expect(config.app).toBe('parking');
    expect(config.registry).toEqual({ server: 'registry.example.com', username: 'ci' });
    const prod = config.environments.production!;
    expect(prod).toMatchObject({
      name: 'production',
      url: 'https://parking.example.com',
      ssh: { user: 'deployer', port: 22, proxyJump: 'deployer@bastion.example.com' },
      appDir: '/opt/parking-management',
      composeFile: 'docker-compose.prod.yml',
      services: ['web', 'worker'],
      webService: 'web',
      singletonServices: ['beat'],
      strategy: 'rolling',
      batchSize: { count: 1 },
      health: { path: '/health/', port: 8000, expectStatus: 200, timeoutMs: 60_000, intervalMs: 1000, failureThreshold: 3 },
      drainMs: 5000,
      migrate: { command: 'python manage.py migrate --noinput', timeoutMs: 600_000 },
      keepReleases: 5,
    });
  });

  test('defaults are filled in for everything but hosts and app-dir', () => {
    const env = parseConfig(MINIMAL, FILE).environments.staging!;
    expect(env).toEqual({
      name: 'staging',
      hosts: [{ id: 'staging.example.com', host: 'staging.example.com', port: 22, user: 'root' }],
      ssh: { user: 'root', port: 22 },
      appDir: '/opt/parking', // trailing "/" dropped
      composeFile: 'docker-compose.yml',
      services: ['web'],
      webService: 'web',
      singletonServices: [],
      proxyService: 'nginx',
      upstreamFile: 'nginx/conf.d/upstream.conf',
      upstreamName: 'app',
      strategy: 'rolling',
      batchSize: { count: 1 },
      maxFailedHosts: 0,
      health: { path: '/health/', port: 8000, expectStatus: 200, timeoutMs: 60_000, intervalMs: 1000, failureThreshold: 3 },
      drainMs: 5000,
      keepReleases: 5,
      keepIdleColor: 'stopped',
      env: { clear: {}, secret: [] },
      hooks: {},
    });
    expect(parseConfig(MINIMAL, FILE).registry).toBeUndefined();
  });

  test('durations are parsed into milliseconds: 500ms, 5s, 2m', () => {
    const env = parseConfig(`${MINIMAL}    drain: 500ms\n    health: {timeout: 2m, interval: 5s}\n    migrate: {command: ./migrate, timeout: 1m30s}\n`, FILE).environments.staging!;
    expect(env.drainMs).toBe(500);
    expect(env.health).toMatchObject({ timeoutMs: 120_000, intervalMs: 5000 });
    expect(env.migrate).toEqual({ command: './migrate', timeoutMs: 90_000 });
  });

  test('hosts are normalised to {id, host, port, user} whichever way they are written', () => {
    const env = parseConfig(
      `${MINIMAL.replace('hosts: [staging.example.com]', `hosts:
      - 10.0.0.11
      - 10.0.0.12:2222
      - {host: App3.Example.com, port: 2200, user: admin}
      - host: "[2001:db8::1]"
      - "[2001:db8::2]:2022"`)}    ssh: {user: deployer, port: 2022}\n`,
      FILE,
    ).environments.staging!;
    expect(env.hosts).toEqual([
      { id: '10.0.0.11:2022', host: '10.0.0.11', port: 2022, user: 'deployer' },
      { id: '10.0.0.12:2222', host: '10.0.0.12', port: 2222, user: 'deployer' },
      { id: 'app3.example.com:2200', host: 'app3.example.com', port: 2200, user: 'admin' },
      { id: '[2001:db8::1]:2022', host: '[2001:db8::1]', port: 2022, user: 'deployer' },
      { id: '[2001:db8::2]:2022', host: '[2001:db8::2]', port: 2022, user: 'deployer' },
    ]);
    const onPort22 = parseConfig(MINIMAL, FILE).environments.staging!.hosts[0]!;
    expect(onPort22.id).toBe('staging.example.com'); // the port is left out of the id when it is 22
  });

  test('batch-size takes a count or a percentage', () => {
    expect(parseConfig(`${MINIMAL}    batch-size: "50%"\n`, FILE).environments.staging!.batchSize).toEqual({ percent: 50 });
    expect(parseConfig(`${MINIMAL}    batch-size: 50%\n`, FILE).environments.staging!.batchSize).toEqual({ percent: 50 });
    expect(parseConfig(`${MINIMAL}    batch-size: 3\n`, FILE).environments.staging!.batchSize).toEqual({ count: 3 });
  });

  test('x- keys are ignored at every level', () => {
    const config = parseConfig(
      `x-note: anything at all
app: parking
x-owner: {team: platform}
image: registry.example.com/acme/parking-web
environments:
  x-template: {not: an environment}
  staging:
    x-comment: staging box
    hosts:
      - {host: staging.example.com, x-rack: b2}
    app-dir: /opt/parking
    ssh: {x-why: default user, user: deployer}
    health: {x-note: slow boot, timeout: 2m}
    migrate: {command: ./migrate, x-todo: faster}
`,
      FILE,
    );
    expect(Object.keys(config.environments)).toEqual(['staging']);
    expect(config.environments.staging!.hosts).toEqual([{ id: 'staging.example.com', host: 'staging.example.com', port: 22, user: 'deployer' }]);
    expect(JSON.stringify(config)).not.toContain('x-');
  });

  test('anchors under x- keys can be used by aliases and << merges elsewhere', () => {
    const config = parseConfig(
      `x-hosts: &web-hosts [10.0.0.11, 10.0.0.12]
x-defaults: &defaults
  app-dir: /opt/parking
  ssh: {user: deployer}
  health: &health {path: /ready/, timeout: 30s}
app: parking
image: registry.example.com/acme/parking-web
environments:
  production:
    <<: *defaults
    hosts: *web-hosts
    strategy: blue-green
  staging:
    <<: *defaults
    hosts: [staging.example.com]
    health: *health
    app-dir: /srv/parking
`,
      FILE,
    );
    const { production, staging } = config.environments;
    expect(production!.hosts.map((h) => h.id)).toEqual(['10.0.0.11', '10.0.0.12']);
    expect(production!).toMatchObject({ appDir: '/opt/parking', strategy: 'blue-green', ssh: { user: 'deployer' }, health: { path: '/ready/', timeoutMs: 30_000 } });
    expect(staging!).toMatchObject({ appDir: '/srv/parking', hosts: [{ user: 'deployer' }], health: { path: '/ready/' } });
  });

  test('several environments keep the order they are written in', () => {
    const config = parseConfig(`${MINIMAL}  production:\n    hosts: [a.example.com, b.example.com]\n    app-dir: /opt/parking\n`, FILE);
    expect(Object.keys(config.environments)).toEqual(['staging', 'production']);
  });
});

describe('selectEnvironment', () => {
  const config = parseConfig(`${MINIMAL}  production:\n    hosts: [a.example.com]\n    app-dir: /opt/parking\n`, FILE);

  test('returns the named environment', () => {
    expect(selectEnvironment(config, 'production', FILE).hosts[0]!.host).toBe('a.example.com');
  });

  test('a missing environment is an error that lists the ones there are', () => {
    expect(() => selectEnvironment(config, 'prod', FILE)).toThrow(UserError);
    expect(() => selectEnvironment(config, 'prod', FILE)).toThrow('.github/parking-ci.yml: no environment "prod"; the config has "staging", "production"');
  });
});

describe('loadConfig', () => {
  test('a missing file is one clear line that says what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parking-ci-config-'));
    const err = await loadConfig(join(dir, 'nope.yml'), FILE, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err).not.toBeInstanceOf(ValidationError);
    expect((err as Error).message).toBe('.github/parking-ci.yml: config file not found; create it (see the README\'s quick start) or set the `config` input');
  });

  test('reads and validates a file, naming it by its display path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parking-ci-config-'));
    writeFileSync(join(dir, 'c.yml'), MINIMAL);
    expect((await loadConfig(join(dir, 'c.yml'), FILE, dir)).app).toBe('parking');
    writeFileSync(join(dir, 'bad.yml'), 'app: [\n');
    const err = (await loadConfig(join(dir, 'bad.yml'), 'config/bad.yml', dir).catch((e: unknown) => e)) as ValidationError;
    expect(err.file).toBe('config/bad.yml');
  });
});

describe('durations', () => {
  test.each([
    ['500ms', 500],
    ['5s', 5000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(['5', '5 s', 's', '-1s', '5sec', '', '1d'])('%j is not a duration', (text) => expect(parseDuration(text)).toBeUndefined());

  test.each([
    [500, '500ms'],
    [5000, '5s'],
    [1500, '1.5s'],
    [120_000, '2m'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [5_400_000, '1h30m'],
    [86_400_000, '24h'],
  ])('%d ms is written %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
