// Drives every row of env.cases.ts through the real code path: the deploy action (a dry run, through
// the runner harness: inputs, masking, the plan, every remote script printed, the summary) for
// secret values and the secrets input, docker compose reading the env file back, and the plan
// action's annotations for config rows.
import { jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envLine, parseSecretsInput, releaseEnv } from '../../src/deploy/release-env.js';
import { parseConfig } from '../../src/config/load.js';
import { runAction, type ActionResult } from '../../testkit/run-action.js';
import { cases, type ConfigCase, type SecretValueCase, type SecretsInputCase } from './env.cases.js';

jest.setTimeout(120_000);

const CONFIG = `app: parking
image: registry.example.com/acme/parking-web
environments:
  production:
    hosts: [10.0.0.11, 10.0.0.12]
    app-dir: /opt/parking
`;
const WITH_ENV = `${CONFIG}    migrate: {command: python manage.py migrate}
    env:
      clear: {GREETING: hello}
      secret: [SECRET_KEY, DATABASE_PASSWORD]
    hooks:
      pre-migrate: {command: "echo backup: /b/x.dump", in: host}
`;
const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n';

function workspace(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-env-'));
  mkdirSync(join(dir, '.github'));
  writeFileSync(join(dir, '.github/parking-ci.yml'), config);
  return dir;
}

function dryRun(secrets: string): Promise<ActionResult> {
  return runAction('deploy', {
    workspace: workspace(WITH_ENV),
    inputs: { version: 'v2', 'ssh-private-key': KEY, 'known-hosts': '10.0.0.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA', 'dry-run': 'true', secrets, 'github-token': '' },
  });
}

/** Everything the run printed or wrote, without the runner's own add-mask commands (the runner consumes those). */
function printed(r: ActionResult): string {
  return r.everything.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');
}

/** Whether any part of a secret worth finding (a line of 4 characters or more) shows. */
function leaks(text: string, secret: string): string[] {
  return [secret, ...secret.split(/\r?\n/)].map((s) => s.trim()).filter((s) => s.length >= 4 && text.includes(s));
}

const composeAvailable = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;

describe.each(cases.filter((c): c is SecretValueCase => c.kind === 'secret-value').map((c) => [c.name, c] as const))('a secret value: %s', (_name, c) => {
  test(c.expect === 'accepted' ? 'the dry run goes on, and no byte of it is printed anywhere' : 'is refused before any connection, naming the secret and not showing it', async () => {
    const r = await dryRun(JSON.stringify({ SECRET_KEY: c.value, DATABASE_PASSWORD: 'pw-hostile-0001' }));
    const text = printed(r);
    expect(leaks(text, c.value)).toEqual([]);
    expect(leaks(text, 'pw-hostile-0001')).toEqual([]);
    // outside text never starts a workflow command
    expect(r.stdout).not.toMatch(/^::error::pwned/m);
    if (c.expect === 'accepted') {
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain('( umask 077 && printf %s [redacted] > /opt/parking/.parking-ci/env/v2-');
      expect(r.summary).toContain('`SECRET_KEY` (secret)');
    } else {
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toMatch(c.expect);
      expect(r.stdout).not.toContain('[dry-run]');
    }
  });

  if (c.expect === 'accepted')
    (composeAvailable ? test : test.skip)('docker compose reads it back from the env file exactly', () => {
      const dir = mkdtempSync(join(tmpdir(), 'hostile-env-compose-'));
      writeFileSync(join(dir, 'values.env'), `${envLine('SECRET_KEY', c.value)}\n`);
      writeFileSync(join(dir, 'compose.yml'), 'services:\n  web:\n    image: example/web\n    env_file: [values.env]\n');
      const r = spawnSync('docker', ['compose', '-f', join(dir, 'compose.yml'), 'config', '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 24 });
      expect(r.status).toBe(0);
      const got = (JSON.parse(r.stdout) as { services: { web: { environment: Record<string, string> } } }).services.web.environment.SECRET_KEY;
      expect(got).toBe(c.value.replace(/\$/g, '$$$$'));
    });
});

describe.each(cases.filter((c): c is SecretsInputCase => c.kind === 'secrets-input').map((c) => [c.name, c] as const))('the secrets input: %s', (_name, c) => {
  const env = parseConfig(WITH_ENV, 'c.yml').environments.production!;
  test('the values taken (or the refusal), and no text of the input printed by the action', async () => {
    if (c.expect instanceof RegExp) expect(() => releaseEnv(env, parseSecretsInput(c.input), 'n', 'parking')).toThrow(c.expect);
    else {
      const made = releaseEnv(env, parseSecretsInput(c.input), 'n', 'parking')!;
      expect(made.content).toContain(envLine('SECRET_KEY', c.expect.SECRET_KEY));
      expect(made.content).toContain(envLine('DATABASE_PASSWORD', c.expect.DATABASE_PASSWORD));
      expect(({} as Record<string, unknown>).SECRET_KEY).toBeUndefined();
    }
    const r = await dryRun(c.input);
    expect(r.exitCode).toBe(c.expect instanceof RegExp ? 1 : 0);
    if (c.expect instanceof RegExp) expect(r.stdout).toMatch(c.expect);
    for (const s of c.secretText) expect(leaks(printed(r), s)).toEqual([]);
  });
});

describe.each(cases.filter((c): c is ConfigCase => c.kind === 'config').map((c) => [c.name, c] as const))('the config: %s', (_name, c) => {
  test('is refused by the plan action with an annotation at its line and column', async () => {
    const r = await runAction('plan', { workspace: workspace(`${CONFIG}${c.block}`) });
    expect(r.exitCode).toBe(1);
    const a = r.annotations.find((x) => x.level === 'error' && x.message.startsWith(`${c.path}:`));
    expect(a).toBeDefined();
    expect(a!.message).toMatch(c.message);
    expect(a!.properties.line).toBe(String(c.line));
    expect(Number(a!.properties.col)).toBeGreaterThan(1);
  });
});
