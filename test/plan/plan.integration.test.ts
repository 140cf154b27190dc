import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { newRunnerDirs, runAction, type ActionResult } from '../../testkit/run-action.js';
import { CASES } from '../config/invalid-cases.js';

const VALID = `app: parking
image: registry.example.com/acme/parking-web
environments:
  production:
    url: https://parking.example.com
    hosts: [10.0.0.11, "10.0.0.12:2222", 10.0.0.13]
    ssh: {user: deployer}
    app-dir: /opt/parking
    batch-size: "50%"
    migrate: {command: python manage.py migrate --noinput}
`;

const MULTI = `x-defaults: &defaults
  app-dir: /opt/parking
  ssh: {user: deployer, proxy-jump: deployer@bastion.example.com}
  services: [web, worker]
  singleton-services: [beat]
app: parking
image: registry.example.com/acme/parking-web
registry: {server: registry.example.com, username: ci}
environments:
  staging:
    <<: *defaults
    hosts: [staging.example.com]
  production:
    <<: *defaults
    url: https://parking.example.com
    hosts: [app1.example.com, app2.example.com, app3.example.com, app4.example.com, app5.example.com]
    strategy: blue-green
    batch-size: 2
    max-failed-hosts: 1
    health: {path: /ready/, timeout: 30s}
    migrate: {command: python manage.py migrate --noinput}
`;

function workspaceWith(config: string, file = '.github/parking-ci.yml'): string {
  const dirs = newRunnerDirs();
  mkdirSync(dirname(join(dirs.workspace, file)), { recursive: true });
  writeFileSync(join(dirs.workspace, file), config);
  return dirs.workspace;
}

/** Nothing that looks like a JavaScript stack frame, in either stream. */
function expectNoStackTrace(r: ActionResult): void {
  expect(r.stdout + r.stderr).not.toMatch(/^\s+at .+[:(]\d+:\d+\)?$/m);
}

describe('plan action on a valid config (runner protocol)', () => {
  test('a valid config prints the plan and sets both outputs', async () => {
    const r = await runAction('plan', { workspace: workspaceWith(VALID) });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.outputs.environments!)).toEqual(['production']);
    expect(JSON.parse(r.outputs.config!).environments.production.hosts[1]).toEqual({ id: '10.0.0.12:2222', host: '10.0.0.12', port: 2222, user: 'deployer' });
    expect(r.summary).toContain('Deploy plan for parking');
    expect(r.summary).toMatch(/<td>2<\/td><td>10.0.0.13<\/td>/);
    expect(r.annotations).toEqual([]);
  });

  test('several environments: the plan of each (hosts, batches, strategy, migration host, checks) in log and summary', async () => {
    const r = await runAction('plan', { workspace: workspaceWith(MULTI) });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.outputs.environments!)).toEqual(['staging', 'production']);
    const config = JSON.parse(r.outputs.config!);
    expect(config.registry).toEqual({ server: 'registry.example.com', username: 'ci' });
    expect(config.environments.production).toMatchObject({ strategy: 'blue-green', batchSize: { count: 2 }, maxFailedHosts: 1, appDir: '/opt/parking' });
    expect(config.environments.staging.hosts).toEqual([{ id: 'staging.example.com', host: 'staging.example.com', port: 22, user: 'deployer' }]);

    // The log
    expect(r.stdout).toContain('.github/parking-ci.yml is valid: app parking, 2 environment(s): staging, production');
    expect(r.stdout).toContain('::group::Plan for production: 5 host(s), blue-green, 3 batch(es)');
    expect(r.stdout).toContain('batch 1: app1.example.com, app2.example.com\nbatch 2: app3.example.com, app4.example.com\nbatch 3: app5.example.com\n');
    expect(r.stdout).toContain('migrations: python manage.py migrate --noinput on app1.example.com, before any host switches');
    expect(r.stdout).toContain('health check: GET /ready/ on port 8000 expects 200 within 30s');
    expect(r.stdout).toContain('::group::Plan for staging: 1 host(s), rolling, 1 batch(es)');
    expect(r.stdout).toContain('migrations: none');

    // The summary
    expect(r.summary).toContain('<h3>production — https://parking.example.com</h3>');
    expect(r.summary).toContain('<h3>staging</h3>');
    expect(r.summary).toContain('<tr><td>3</td><td>app5.example.com</td><td>deployer@app5.example.com:22 via deployer@bastion.example.com</td><td>web, worker</td></tr>');
    expect(r.summary).toContain('<td>app1.example.com</td><td>deployer@app1.example.com:22 via deployer@bastion.example.com</td><td>web, worker, beat + migrations</td>');
    expect(r.summary).toContain('Strategy: **blue-green**, 3 batch(es) of 2; more than 1 failed host(s) rolls every switched host back');
    expect(r.summary).toContain('Migrations: `python manage.py migrate --noinput` once on app1.example.com with the new image');
    expect(r.summary).toContain('Health check: GET `/ready/` on port 8000 expects 200 within 30s');
    expect(r.summary).toContain('pulled after `docker login registry.example.com` as `ci`');
  });

  test('the config input chooses another file', async () => {
    const r = await runAction('plan', { workspace: workspaceWith(VALID, 'deploy/parking.yml'), inputs: { config: 'deploy/parking.yml' } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('deploy/parking.yml is valid');
  });
});

describe('plan action on an invalid config (runner protocol)', () => {
  test.each(CASES)('$name: exits 1 with an error annotation at its line and column', async ({ yaml, path, line, column, message }) => {
    const r = await runAction('plan', { workspace: workspaceWith(yaml) });
    expect(r.exitCode).toBe(1);
    expectNoStackTrace(r);
    expect(r.outputs).toEqual({});
    const annotation = r.annotations.find((a) => a.properties.line === String(line) && a.properties.col === String(column) && a.message.startsWith(path ? `${path}: ` : ''));
    expect(annotation).toBeDefined();
    expect(annotation).toMatchObject({ level: 'error', properties: { file: '.github/parking-ci.yml', title: 'Invalid configuration' } });
    const prefix = path ? `${path}: ` : '';
    const suffix = ` (line ${line}, column ${column})`;
    expect(annotation!.message.startsWith(prefix) && annotation!.message.endsWith(suffix)).toBe(true);
    const text = annotation!.message.slice(prefix.length, -suffix.length);
    if (typeof message === 'string') expect(text).toBe(message);
    else expect(text).toMatch(message);
    // The step's failure line: the file and the first problem.
    expect(r.stdout).toMatch(/^::error::\.github\/parking-ci\.yml: /m);
  });

  test('the annotation names the file the config input points at', async () => {
    const r = await runAction('plan', { workspace: workspaceWith(VALID.replace('app: parking', 'app: Parking'), 'deploy/parking.yml'), inputs: { config: 'deploy/parking.yml' } });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0]!.properties).toMatchObject({ file: 'deploy/parking.yml', line: '1', col: '6' });
  });

  test('a config file that does not exist: one clear line, no annotation position, no stack trace', async () => {
    const r = await runAction('plan', { workspace: newRunnerDirs().workspace });
    expect(r.exitCode).toBe(1);
    expectNoStackTrace(r);
    expect(r.annotations).toEqual([
      {
        level: 'error',
        message: ".github/parking-ci.yml: config file not found; create it (see the README's quick start) or set the `config` input",
        properties: {},
      },
    ]);
    expect(r.stdout.trim().split('\n').filter((l) => l.startsWith('::error'))).toHaveLength(1);
    expect(r.stderr).toBe('');
  });
});
