// The reusable workflows against the spec: job graph, environments and concurrency, least-privilege
// permissions, pinned third-party actions, no expressions inside scripts. The deploy routing and the
// notify summary are bash, so they are run here with bash and jq as the runner would run them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { type Job, type Step, ROOT, needsOf, ourWorkflow, readWorkflow, runStep, workflowFiles } from './workflows.js';

const pipeline = ourWorkflow('pipeline.yml').workflow;
const prChecks = ourWorkflow('pr-checks.yml').workflow;
const rollback = ourWorkflow('rollback.yml').workflow;
const REUSABLE = { 'pipeline.yml': pipeline, 'pr-checks.yml': prChecks, 'rollback.yml': rollback };

/** The widest permissions each job may hold (job name -> scope -> level). */
const ALLOWED: Record<string, Record<string, Record<string, string>>> = {
  'pipeline.yml': {
    lint: { contents: 'read' },
    test: { contents: 'read' },
    scan: { contents: 'read', 'security-events': 'write', actions: 'read' },
    build: { contents: 'read' },
    deploy: { contents: 'read', deployments: 'write' },
    notify: { contents: 'read' },
  },
  'pr-checks.yml': {
    lint: { contents: 'read' },
    test: { contents: 'read' },
    scan: { contents: 'read', 'security-events': 'write', actions: 'read' },
    plan: { contents: 'read' },
    comment: { 'pull-requests': 'write' },
  },
  'rollback.yml': {
    rollback: { contents: 'read', deployments: 'write' },
    notify: { contents: 'read' },
  },
};
const LEVEL = { none: 0, read: 1, write: 2 } as Record<string, number>;

const step = (job: Job, id: string): Step => {
  const found = job.steps?.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
};

describe('pipeline.yml: the job graph', () => {
  test('is a reusable workflow', () => {
    expect(Object.keys(pipeline.on)).toEqual(['workflow_call']);
  });

  test('lint, test and scan run first and in parallel; build needs all three; deploy needs build', () => {
    expect(Object.keys(pipeline.jobs).sort()).toEqual(['build', 'deploy', 'lint', 'notify', 'scan', 'test']);
    for (const j of ['lint', 'test', 'scan']) expect(needsOf(pipeline.jobs[j]!)).toEqual([]);
    expect(needsOf(pipeline.jobs.build!).sort()).toEqual(['lint', 'scan', 'test']);
    expect(needsOf(pipeline.jobs.deploy!)).toEqual(['build']);
  });

  test('notify needs every other job and always runs', () => {
    expect(needsOf(pipeline.jobs.notify!).sort()).toEqual(['build', 'deploy', 'lint', 'scan', 'test']);
    expect(pipeline.jobs.notify!.if).toMatch(/\balways\(\)/);
    const notifyStep = pipeline.jobs.notify!.steps!.find((s) => s.uses === './.parking-ci/notify')!;
    for (const job of ['lint', 'test', 'scan', 'build', 'deploy']) {
      expect(JSON.stringify(pipeline.jobs.notify!.steps)).toContain(`needs.${job}.result`);
    }
    expect(notifyStep.with!.hosts).toContain('needs.deploy.outputs.hosts');
  });

  test('deploy targets the GitHub environment, with its URL, so protection rules and approvals apply', () => {
    const deploy = pipeline.jobs.deploy!;
    expect(deploy.environment).toEqual({ name: '${{ needs.build.outputs.environment }}', url: '${{ needs.build.outputs.url }}' });
    expect(deploy.if).toContain("needs.build.outputs.environment != ''");
  });

  test('deploys of one environment queue in one concurrency group instead of cancelling each other', () => {
    expect(pipeline.jobs.deploy!.concurrency).toEqual({ group: 'parking-ci-deploy-${{ needs.build.outputs.environment }}', 'cancel-in-progress': false });
    // A rollback waits for a running deploy of the same environment.
    expect(rollback.jobs.rollback!.concurrency).toEqual({ group: 'parking-ci-deploy-${{ inputs.environment }}', 'cancel-in-progress': false });
  });

  test('deploy deploys the digest the build pushed, with the deploy secrets', () => {
    const s = pipeline.jobs.deploy!.steps!.find((x) => x.uses === './.parking-ci/deploy')!;
    expect(s.with).toMatchObject({
      version: '${{ needs.build.outputs.digest }}',
      environment: '${{ needs.build.outputs.environment }}',
      'ssh-private-key': '${{ secrets.SSH_PRIVATE_KEY }}',
      'known-hosts': '${{ secrets.KNOWN_HOSTS }}',
      'registry-password': '${{ secrets.REGISTRY_PASSWORD }}',
    });
  });

  test('tests run against PostgreSQL 17.7 and Redis 8.4 service containers with health checks', () => {
    for (const wf of [pipeline, prChecks]) {
      const services = wf.jobs.test!.services!;
      expect(services.postgres!.image).toBe('${{ inputs.postgres-image }}');
      expect(services.redis!.image).toBe('${{ inputs.redis-image }}');
      expect(wf.on.workflow_call.inputs['postgres-image'].default).toBe('postgres:17.7');
      expect(wf.on.workflow_call.inputs['redis-image'].default).toBe('redis:8.4');
      expect(Object.keys(services.postgres!.env!).sort()).toEqual(['POSTGRES_DB', 'POSTGRES_PASSWORD', 'POSTGRES_USER']);
      expect(services.postgres!.options).toMatch(/--health-cmd "pg_isready/);
      expect(services.redis!.options).toMatch(/--health-cmd "redis-cli ping"/);
    }
  });

  test('the scan uploads its SARIF to code scanning even when the severity gate failed', () => {
    const upload = pipeline.jobs.scan!.steps!.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
    expect(upload.if).toContain('!cancelled()');
    expect(upload.with!.sarif_file).toBe('parking-ci-scan.sarif');
    expect(step(pipeline.jobs.scan!, 'scan').with!['sarif-file']).toBe('parking-ci-scan.sarif');
  });

  test('typed inputs and explicit secrets: only the deploy secrets are required', () => {
    const { inputs, secrets } = pipeline.on.workflow_call;
    for (const [name, type] of Object.entries({ config: 'string', 'staging-branch': 'string', 'production-branch': 'string', environments: 'string', 'python-version': 'string', 'working-directory': 'string', deploy: 'boolean', image: 'string', registry: 'string' })) {
      expect([name, inputs[name]?.type]).toEqual([name, type]);
    }
    expect(inputs['staging-branch'].default).toBe('develop');
    const notifySecrets = ['SLACK_WEBHOOK', 'DINGTALK_WEBHOOK', 'DINGTALK_SECRET', 'WECOM_WEBHOOK', 'FEISHU_WEBHOOK', 'FEISHU_SECRET', 'TELEGRAM_TOKEN', 'TELEGRAM_CHAT_ID', 'TEAMS_WEBHOOK', 'DISCORD_WEBHOOK', 'WEBHOOK_URL', 'WEBHOOK_SECRET'];
    for (const wf of [pipeline, rollback]) {
      const s = wf.on.workflow_call.secrets;
      expect(Object.keys(s).sort()).toEqual(['KNOWN_HOSTS', 'REGISTRY_PASSWORD', 'SSH_PRIVATE_KEY', ...notifySecrets].sort());
      expect(s.SSH_PRIVATE_KEY.required).toBe(true);
      expect(s.KNOWN_HOSTS.required).toBe(true);
      for (const name of ['REGISTRY_PASSWORD', ...notifySecrets]) expect([name, s[name].required]).toEqual([name, false]);
    }
  });
});

describe('pr-checks.yml and rollback.yml', () => {
  test('pr-checks runs lint, test, scan and plan, then one comment job over all four', () => {
    expect(Object.keys(prChecks.on)).toEqual(['workflow_call']);
    expect(needsOf(prChecks.jobs.comment!).sort()).toEqual(['lint', 'plan', 'scan', 'test']);
    expect(prChecks.jobs.comment!.if).toMatch(/\balways\(\)/);
    expect(step(prChecks.jobs.plan!, 'plan').uses).toBe('./.parking-ci');
    expect(step(prChecks.jobs.scan!, 'scan').with!['scan-path']).toContain('inputs.scan-path');
  });

  test('the PR comment is sticky: found by its hidden marker and updated in place', () => {
    const s = prChecks.jobs.comment!.steps!.find((x) => x.uses?.startsWith('actions/github-script@'))!;
    const script = String(s.with!.script);
    expect(script).toContain('<!-- parking-ci:pr-checks -->');
    expect(script).toContain('updateComment');
    expect(script).toContain('createComment');
    expect(script).not.toContain('${{');
  });

  test('rollback takes environment, to and config, targets the environment, then notifies', () => {
    expect(Object.keys(rollback.on)).toEqual(['workflow_call']);
    const { inputs } = rollback.on.workflow_call;
    expect(inputs.environment).toMatchObject({ type: 'string', required: true });
    expect(inputs.to).toMatchObject({ type: 'string', default: 'previous' });
    expect(inputs.config).toMatchObject({ type: 'string', default: '.github/parking-ci.yml' });
    expect(rollback.jobs.rollback!.environment).toMatchObject({ name: '${{ inputs.environment }}' });
    expect(needsOf(rollback.jobs.notify!)).toEqual(['rollback']);
    expect(rollback.jobs.notify!.if).toMatch(/\balways\(\)/);
  });
});

describe.each(Object.entries(REUSABLE))('%s: permissions', (file, wf) => {
  test('the top-level token has no permissions', () => {
    expect(wf.permissions).toEqual({});
  });

  test.each(Object.keys(ALLOWED[file]!))('job %s asks for nothing broader than it needs', (jobName) => {
    const job = wf.jobs[jobName]!;
    expect(job).toBeDefined();
    expect(typeof job.permissions).toBe('object'); // never read-all / write-all, never inherited
    const allowed = ALLOWED[file]![jobName]!;
    for (const [scope, level] of Object.entries(job.permissions as Record<string, string>)) {
      expect([scope, LEVEL[level]! <= LEVEL[allowed[scope] ?? 'none']!]).toEqual([scope, true]);
    }
    const checksOut = job.steps?.some((s) => s.uses?.startsWith('actions/checkout@'));
    if (checksOut) expect((job.permissions as Record<string, string>).contents).toBe('read');
  });

  test('every job is covered by the allowed list', () => {
    expect(Object.keys(wf.jobs).sort()).toEqual(Object.keys(ALLOWED[file]!).sort());
  });
});

describe.each(workflowFiles().map((f) => [relative(ROOT, f), f] as const))('%s', (_name, path) => {
  const { text, workflow } = readWorkflow(path);
  const steps = Object.values(workflow.jobs).flatMap((j) => j.steps ?? []);

  test('third-party actions are pinned to a full commit SHA with a version comment', () => {
    const uses = text.split('\n').filter((l) => /^\s*(-\s+)?uses:/.test(l)).map((l) => l.replace(/^\s*(-\s+)?uses:\s*/, '').trim());
    for (const u of uses) {
      if (u.startsWith('./') || u.startsWith('org/parking-ci') || u.startsWith('docker://')) continue;
      expect(u).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  test('no expression of the event or the inputs inside a run: script', () => {
    for (const s of steps) {
      if (s.run === undefined) continue;
      expect(s.run).not.toMatch(/\$\{\{\s*(github\.event\.|inputs\.|github\.head_ref)/);
    }
  });

  if (path.startsWith(join(ROOT, '.github'))) {
    test('our reusable workflows expand no expression at all inside run: (values come through env:)', () => {
      if (!['pipeline.yml', 'pr-checks.yml', 'rollback.yml'].some((n) => path.endsWith(n))) return;
      for (const s of steps) if (s.run !== undefined) expect(s.run).not.toContain('${{');
    });
  }
});

const hasJq = spawnSync('jq', ['--version']).status === 0;

(hasJq ? describe : describe.skip)('pipeline.yml: which environment a push deploys to (the route step, run with bash)', () => {
  const route = step(pipeline.jobs.build!, 'route');
  const config = JSON.stringify({
    image: 'registry.example.com/acme/parking-web',
    registry: { server: 'registry.example.com', username: 'ci' },
    environments: { production: { url: 'https://parking.example.com' }, staging: { url: 'https://staging.example.com' }, uat: {} },
  });
  const base = {
    EVENT_NAME: 'push',
    REF: 'refs/heads/main',
    DEFAULT_BRANCH: 'main',
    STAGING_BRANCH: 'develop',
    PRODUCTION_BRANCH: '',
    ENVIRONMENT_MAP: '',
    DEPLOY_ENABLED: 'true',
    CONFIG_JSON: config,
    IMAGE_INPUT: '',
    REGISTRY_INPUT: '',
    REGISTRY_USER_INPUT: '',
  };
  const routeOf = (env: Partial<typeof base>) => runStep(route, { ...base, ...env });

  test('the default branch deploys to production, with its URL', () => {
    const r = routeOf({});
    expect(r.status).toBe(0);
    expect(r.outputs).toMatchObject({ environment: 'production', url: 'https://parking.example.com', image: 'registry.example.com/acme/parking-web', registry: 'registry.example.com', username: 'ci' });
  });

  test('the integration branch deploys to staging', () => {
    expect(routeOf({ REF: 'refs/heads/develop' }).outputs).toMatchObject({ environment: 'staging', url: 'https://staging.example.com' });
  });

  test('a production-branch input replaces the default branch', () => {
    expect(routeOf({ PRODUCTION_BRANCH: 'release' }).outputs.environment).toBe('');
    expect(routeOf({ PRODUCTION_BRANCH: 'release', REF: 'refs/heads/release' }).outputs.environment).toBe('production');
  });

  test('other branches, tags, pull requests and deploy: false do not deploy', () => {
    expect(routeOf({ REF: 'refs/heads/feature/x' }).outputs.environment).toBe('');
    expect(routeOf({ REF: 'refs/tags/v1.2.3' }).outputs.environment).toBe('');
    expect(routeOf({ EVENT_NAME: 'pull_request', REF: 'refs/pull/7/merge' }).outputs.environment).toBe('');
    expect(routeOf({ DEPLOY_ENABLED: 'false' }).outputs.environment).toBe('');
  });

  test('a JSON map of branch globs replaces both branch inputs', () => {
    const map = JSON.stringify({ trunk: 'production', 'release/*': 'uat' });
    expect(routeOf({ ENVIRONMENT_MAP: map, REF: 'refs/heads/release/2.1' }).outputs.environment).toBe('uat');
    expect(routeOf({ ENVIRONMENT_MAP: map, REF: 'refs/heads/trunk' }).outputs.environment).toBe('production');
    expect(routeOf({ ENVIRONMENT_MAP: map, REF: 'refs/heads/main' }).outputs.environment).toBe('');
  });

  test('an environment the config does not define is skipped with a warning', () => {
    const r = routeOf({ ENVIRONMENT_MAP: JSON.stringify({ main: 'qa' }) });
    expect(r.status).toBe(0);
    expect(r.outputs.environment).toBe('');
    expect(r.stdout).toContain("::warning::Branch main maps to environment 'qa'");
  });

  test('branch names are data, not code', () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'parking-ci-route-')), 'pwned');
    const r = routeOf({ REF: `refs/heads/$(touch ${marker})`, ENVIRONMENT_MAP: JSON.stringify({ '*': 'staging' }) });
    expect(r.status).toBe(0);
    expect(r.outputs.environment).toBe('staging');
    expect(existsSync(marker)).toBe(false);
  });

  test('an image input that differs from the config image fails a deploy with one clear error', () => {
    const r = routeOf({ IMAGE_INPUT: 'ghcr.io/acme/other' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^::error::The image input \(ghcr.io\/acme\/other\) differs from the config's image/m);
    expect(routeOf({ IMAGE_INPUT: 'ghcr.io/acme/other', REF: 'refs/heads/feature' }).outputs.image).toBe('ghcr.io/acme/other');
  });
});

(hasJq ? describe : describe.skip)('pipeline.yml: the notify summary (run with bash)', () => {
  const message = step(pipeline.jobs.notify!, 'message');
  const none = { HAS_SLACK: 'false', HAS_DINGTALK: 'false', HAS_WECOM: 'false', HAS_FEISHU: 'false', HAS_TELEGRAM: 'false', HAS_TEAMS: 'false', HAS_DISCORD: 'false', HAS_WEBHOOK: 'false' };
  const results = { LINT: 'success', TEST: 'success', SCAN: 'success', BUILD: 'success', DEPLOY: 'success', CHANNELS: '' };

  test('channels are those whose secret is set, unless listed explicitly', () => {
    expect(runStep(message, { ...none, ...results, HAS_SLACK: 'true', HAS_FEISHU: 'true' }).outputs.channels).toBe('slack,feishu');
    expect(runStep(message, { ...none, ...results }).outputs.channels).toBe('');
    expect(runStep(message, { ...none, ...results, CHANNELS: 'webhook' }).outputs.channels).toBe('webhook');
  });

  test('the status is the worst of the jobs, and rolled-back when the deploy rolled back', () => {
    const status = (env: Record<string, string>) => runStep(message, { ...none, ...results, ...env }).outputs.status;
    expect(status({})).toBe('success');
    expect(status({ DEPLOY: 'skipped' })).toBe('success');
    expect(status({ TEST: 'failure', DEPLOY: 'skipped', BUILD: 'skipped' })).toBe('failure');
    expect(status({ BUILD: 'cancelled' })).toBe('cancelled');
    expect(status({ DEPLOY: 'failure', DEPLOY_STATUS: 'rolled-back' })).toBe('rolled-back');
  });

  test('the message lists every job with its result', () => {
    const r = runStep(message, { ...none, ...results, TEST: 'failure', TESTS: '12', TESTS_FAILED: '2', COVERAGE: '81.50', DEPLOY: 'skipped' });
    expect(r.outputs.message!.split('\n')).toEqual(['lint: success', 'test: failure (12 tests, 2 failed, coverage 81.50%)', 'scan: success', 'build: success', 'deploy: skipped']);
  });
});

describe.each(Object.entries(REUSABLE))("%s: our own actions come from this workflow's own commit", (_file, wf) => {
  const jobs = Object.entries(wf.jobs).filter(([, j]) => j.steps?.some((s) => s.uses?.startsWith('./')));

  test('no step refers to our actions by a moving tag (org/parking-ci/...@v1)', () => {
    for (const j of Object.values(wf.jobs)) for (const s of j.steps ?? []) expect(s.uses ?? '').not.toMatch(/^org\/parking-ci\b/);
  });

  test.each(jobs.map(([name]) => name))('job %s checks this repository out at job.workflow_sha into .parking-ci before using it', (name) => {
    const steps = wf.jobs[name]!.steps!;
    const ours = steps.findIndex((s) => s.uses?.startsWith('actions/checkout@') && s.with?.path === '.parking-ci');
    expect(ours).toBeGreaterThanOrEqual(0);
    expect(steps[ours]!.with).toMatchObject({ repository: '${{ job.workflow_repository }}', ref: '${{ job.workflow_sha }}', 'persist-credentials': false });
    // Only the action.yml files and the bundles: nothing of ours for the app's linters, tests or scanners to pick up.
    expect(String(steps[ours]!.with!['sparse-checkout']).trim().split('\n')).toEqual(['/action.yml', '/*/action.yml', '/dist/']);
    // The app's checkout (into the workspace root) would wipe .parking-ci if it came later.
    const app = steps.findIndex((s) => s.uses?.startsWith('actions/checkout@') && s.with?.path === undefined);
    expect(app).toBeLessThan(ours);
    steps.forEach((s, i) => {
      if (!s.uses?.startsWith('./')) return;
      expect([s.uses, i > ours]).toEqual([s.uses, true]);
      expect(s.uses).toMatch(/^\.\/\.parking-ci(\/[a-z]+)?$/);
      const dir = s.uses.replace(/^\.\/\.parking-ci\/?/, '') || '.';
      expect([s.uses, existsSync(join(ROOT, dir, 'action.yml'))]).toEqual([s.uses, true]);
      if (steps[ours]!.if !== undefined) expect(s.if).toBe(steps[ours]!.if);
    });
  });
});

describe('every workflow', () => {
  test('pins each third-party action to one version (the same SHA everywhere)', () => {
    const pins = new Map<string, Set<string>>();
    for (const f of workflowFiles()) {
      for (const m of readWorkflow(f).text.matchAll(/uses:\s*([\w.-]+\/[\w./-]+)@(\S+)/g)) {
        if (m[1]!.startsWith('org/parking-ci')) continue;
        pins.set(m[1]!, (pins.get(m[1]!) ?? new Set()).add(m[2]!));
      }
    }
    expect(pins.get('actions/checkout')).toEqual(new Set(['de0fac2e4500dabe0009e67214ff5f5447ce83dd']));
    for (const [action, refs] of pins) expect([action, [...refs]]).toEqual([action, [[...refs][0]]]);
  });
});

describe('the notify steps pass every notify input that has a secret', () => {
  const notifyInputs = Object.keys(parse(readWorkflow(join(ROOT, 'notify', 'action.yml')).text).inputs as object);
  const secretInputs = notifyInputs.filter((n) => /-(webhook|secret|token|chat-id|url)$/.test(n) && n !== 'telegram-api-url');

  test.each([
    ['pipeline.yml', pipeline],
    ['rollback.yml', rollback],
  ] as const)('%s', (_file, wf) => {
    const s = wf.jobs.notify!.steps!.find((x) => x.uses === './.parking-ci/notify')!;
    expect(s.with!['webhook-secret']).toBe('${{ secrets.WEBHOOK_SECRET }}');
    for (const input of secretInputs) {
      const secret = input.toUpperCase().replace(/-/g, '_');
      expect([input, s.with![input]]).toEqual([input, `\${{ secrets.${secret} }}`]);
      expect(Object.keys(wf.on.workflow_call.secrets)).toContain(secret);
    }
  });
});

(hasJq ? describe : describe.skip)('rollback.yml: the inputs step (run with bash)', () => {
  const inputs = step(rollback.jobs.rollback!, 'inputs');

  test('runs first, before any checkout or action', () => {
    expect(rollback.jobs.rollback!.steps![0]!.id).toBe('inputs');
  });

  test.each(['previous', 'list', 'v1.2.3', `sha256:${'a'.repeat(64)}`, 'x'.repeat(128)])('accepts to=%s and passes it on unchanged', (to) => {
    const r = runStep(inputs, { ENVIRONMENT: 'production', TO: to });
    expect(r.status).toBe(0);
    expect(r.entries).toEqual([
      ['environment', 'production'],
      ['to', to],
    ]);
  });

  test('a to with a line break is refused naming the input, and adds no output line', () => {
    const r = runStep(inputs, { ENVIRONMENT: 'production', TO: 'previous\nstatus=deployed' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^::error::Input to: expected "previous", "list" or a version/m);
    expect(r.entries).toEqual([]);
  });

  test('the notify message carries a to that holds a line break as one value', () => {
    const message = step(rollback.jobs.notify!, 'message');
    const r = runStep(message, { RESULT: 'success', TO: 'v1\nstatus=success', VERSION: 'v1', PREVIOUS: 'v2' });
    expect(r.status).toBe(0);
    expect(r.entries.map(([name]) => name)).toEqual(['channels', 'status', 'message']);
    expect(r.outputs.status).toBe('rolled-back');
    expect(r.outputs.message).toBe('Rollback (to: v1\nstatus=success) success: v2 -> v1');
  });
});
