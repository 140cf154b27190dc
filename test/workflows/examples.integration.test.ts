// The app-side examples: the config passes the plan action (run as the runner runs it), the caller
// workflows call our reusable workflows with what they need, and the compose file and nginx config
// fit what deploy expects of them.
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { newRunnerDirs, runAction } from '../../testkit/run-action.js';
import { ROOT, readWorkflow } from './workflows.js';

const EXAMPLES = join(ROOT, 'examples');

describe('examples/.github/parking-ci.yml', () => {
  test('is a valid config with production and staging: the plan action passes it', async () => {
    const { workspace } = newRunnerDirs();
    mkdirSync(join(workspace, '.github'), { recursive: true });
    cpSync(join(EXAMPLES, '.github', 'parking-ci.yml'), join(workspace, '.github', 'parking-ci.yml'));
    const r = await runAction('plan', { workspace });
    expect(r.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.outputs.environments!).sort()).toEqual(['production', 'staging']);
    const config = JSON.parse(r.outputs.config!);
    expect(config.environments.production.url).toBe('https://parking.example.com');
    expect(config.environments.staging.url).toMatch(/^https:\/\//);
    expect(r.summary).toContain('Deploy plan for parking');
  });
});

describe('examples/.github/workflows', () => {
  const wf = (name: string) => readWorkflow(join(EXAMPLES, '.github', 'workflows', name)).workflow;

  test('pipeline.yml calls the reusable pipeline on pushes to main and develop, granting what its jobs ask for', () => {
    const w = wf('pipeline.yml');
    expect(w.on.push.branches.sort()).toEqual(['develop', 'main']);
    expect(w.jobs.pipeline!.uses).toBe('org/parking-ci/.github/workflows/pipeline.yml@v1');
    expect(w.permissions).toMatchObject({ contents: 'read', 'security-events': 'write', deployments: 'write' });
    const secrets = (w.jobs.pipeline as unknown as { secrets: Record<string, string> }).secrets;
    expect(Object.keys(secrets)).toEqual(expect.arrayContaining(['SSH_PRIVATE_KEY', 'KNOWN_HOSTS']));
  });

  test('pr.yml calls pr-checks on pull requests', () => {
    const w = wf('pr.yml');
    expect(Object.keys(w.on)).toEqual(['pull_request']);
    expect(w.jobs.checks!.uses).toBe('org/parking-ci/.github/workflows/pr-checks.yml@v1');
    expect(w.permissions).toMatchObject({ 'pull-requests': 'write' });
  });

  test('rollback.yml is a short workflow_dispatch with an environment choice and a `to` input', () => {
    const text = readFileSync(join(EXAMPLES, '.github', 'workflows', 'rollback.yml'), 'utf8');
    expect(text.trim().split('\n').length).toBeLessThanOrEqual(12);
    const w = wf('rollback.yml');
    const inputs = w.on.workflow_dispatch.inputs;
    expect(inputs.environment).toMatchObject({ type: 'choice', options: ['production', 'staging'] });
    expect(inputs.to).toMatchObject({ default: 'previous' });
    expect(w.jobs.rollback!.uses).toBe('org/parking-ci/.github/workflows/rollback.yml@v1');
  });
});

describe('examples/docker-compose.prod.yml and nginx/conf.d', () => {
  const compose = parse(readFileSync(join(EXAMPLES, 'docker-compose.prod.yml'), 'utf8'), { merge: true });
  const config = parse(readFileSync(join(EXAMPLES, '.github', 'parking-ci.yml'), 'utf8'), { merge: true });
  const production = config.environments.production;

  test('has nginx, web, worker, beat, pgbouncer, postgres 17 and redis 8', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['beat', 'nginx', 'pgbouncer', 'postgres', 'redis', 'web', 'worker']);
    expect(compose.services.postgres.image).toMatch(/^postgres:17/);
    expect(compose.services.redis.image).toMatch(/^redis:8/);
  });

  test('web runs gunicorn and can run twice side by side: no container_name, no host ports', () => {
    const web = compose.services.web;
    expect(web.command).toMatch(/^gunicorn /);
    expect(web.container_name).toBeUndefined();
    expect(web.ports).toBeUndefined();
  });

  test('the celery worker and beat stop gracefully', () => {
    for (const name of ['worker', 'beat']) {
      expect(compose.services[name].command).toMatch(/^celery /);
      expect(compose.services[name].stop_signal).toBe('SIGTERM');
      expect(compose.services[name].stop_grace_period).toMatch(/^\d+s$/);
    }
  });

  test('nginx mounts the conf.d DIRECTORY read-only, so the renamed upstream file is seen', () => {
    expect(compose.services.nginx.volumes).toContain('./nginx/conf.d:/etc/nginx/conf.d:ro');
    expect(production['upstream-file']).toBe('nginx/conf.d/upstream.conf');
    expect(production['compose-file']).toBe('docker-compose.prod.yml');
    for (const s of [...production.services, production['web-service'], ...production['singleton-services'], production['proxy-service']]) {
      expect(Object.keys(compose.services)).toContain(s);
    }
  });

  test('the site proxies to the managed upstream and retries the next backend on errors', () => {
    const site = readFileSync(join(EXAMPLES, 'nginx', 'conf.d', 'default.conf'), 'utf8');
    expect(site).toContain('proxy_pass http://app;');
    expect(site).toContain('proxy_next_upstream error timeout http_502 http_503;');
    expect(site).toMatch(/^\s*keepalive_timeout /m);
    const upstream = readFileSync(join(EXAMPLES, 'nginx', 'conf.d', 'upstream.conf'), 'utf8');
    expect(upstream).toMatch(/^# Managed by parking-ci/);
    expect(upstream.match(/^upstream (\S+) \{/m)?.[1]).toBe(production['upstream-name']);
  });
});
