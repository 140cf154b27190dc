// The app's environment and hooks: the secrets input, the env file (its text, how it is written,
// what compose makes of it), the override naming it, pruning, hook scripts, and the plan's lines.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { overrideYaml, releaseEnvFile } from '../../src/commands/compose.js';
import { envFilesToPrune, writeEnvFileScript } from '../../src/commands/env-file.js';
import { hookScript, parseBackupName } from '../../src/commands/hooks.js';
import { envFileName } from '../../src/commands/paths.js';
import type { Release } from '../../src/commands/releases.js';
import { renderScript } from '../../src/commands/shell.js';
import { parseConfig } from '../../src/config/load.js';
import type { Environment } from '../../src/config/types.js';
import { ValidationError } from '../../src/errors.js';
import { describePlan, plan } from '../../src/deploy/plan.js';
import { MAX_SECRET_BYTES, envLine, parseSecretsInput, releaseEnv } from '../../src/deploy/release-env.js';

const CONFIG = `app: parking
image: registry.example.com/acme/parking-web
environments:
  production:
    hosts: [10.0.0.11, 10.0.0.12]
    app-dir: /opt/parking
    services: [web, worker]
    singleton-services: [beat]
    migrate: {command: python manage.py migrate}
    env:
      clear:
        PARKING_GREETING: hello world
        DEBUG: false
      secret: [SECRET_KEY, DATABASE_PASSWORD]
    hooks:
      pre-deploy: python manage.py check --deploy
      pre-migrate: {command: "echo backup: /backups/x.dump", in: host, timeout: 2m}
      post-deploy: {command: ./warm.sh}
`;
const config = parseConfig(CONFIG, 'c.yml');
const env = config.environments.production!;

function configError(extra: string): ValidationError {
  try {
    parseConfig(CONFIG.replace('      secret: [SECRET_KEY, DATABASE_PASSWORD]\n', extra), 'c.yml');
  } catch (err) {
    return err as ValidationError;
  }
  throw new Error('expected the config to be refused');
}

describe('the config: env and hooks', () => {
  test('clear values are strings, secrets are names, hooks default to a one-off container', () => {
    expect({ ...env.env.clear }).toEqual({ PARKING_GREETING: 'hello world', DEBUG: 'false' });
    expect(env.env.secret).toEqual(['SECRET_KEY', 'DATABASE_PASSWORD']);
    expect(env.hooks['pre-deploy']).toEqual({ command: 'python manage.py check --deploy', in: 'image', timeoutMs: 600_000 });
    expect(env.hooks['pre-migrate']).toEqual({ command: 'echo backup: /backups/x.dump', in: 'host', timeoutMs: 120_000 });
  });

  test.each([
    ['a lower-case name', '        bad-name: x\n', 'env.clear.bad-name', 'expected a variable name', 14],
    ['a name with "="', '      secret: ["A=B"]\n', 'env.secret[0]', 'expected a variable name', 14],
    ['a value with a line break', '        MULTI: "a\\nb"\n', 'env.clear.MULTI', 'one-line value', 14],
    ['a name shadowing PARKING_CI_', '        PARKING_CI_VERSION: v9\n', 'env.clear.PARKING_CI_VERSION', 'set by parking-ci for hooks', 14],
    ['a name both clear and secret', '      secret: [DEBUG]\n', 'env.secret[0]', 'either clear or secret', 14],
    ['__proto__ as a name', '        __proto__: x\n', 'env.clear.__proto__', 'is reserved (it cannot be read safely)', 14],
  ])('%s is refused with its line and column', (_name, extra, path, message, line) => {
    const err = configError(extra);
    const p = err.problems.find((x) => x.path.endsWith(path))!;
    expect(p).toBeDefined();
    expect(p.message).toContain(message);
    expect(p.line).toBe(line);
    expect(p.column).toBeGreaterThan(1);
  });
});

describe('the secrets input', () => {
  test('a JSON object (toJSON(secrets)) or NAME=value lines; the value is everything after the first "="', () => {
    expect(parseSecretsInput('{"SECRET_KEY":"a=b","github_token":"x"}')).toEqual(new Map([['SECRET_KEY', 'a=b'], ['github_token', 'x']]));
    expect(parseSecretsInput('# comment\nSECRET_KEY=a=b "c"\r\n\nDATABASE_PASSWORD= sp ace \n')).toEqual(new Map([['SECRET_KEY', 'a=b "c"'], ['DATABASE_PASSWORD', ' sp ace ']]));
  });

  test('errors name the line or key, never a value', () => {
    expect(() => parseSecretsInput('OK=1\nhunter2-no-equals\n')).toThrow(/line 2 is not NAME=value/);
    expect(() => parseSecretsInput('OK=1\nhunter2-no-equals\n')).not.toThrow(/hunter2/);
    expect(() => parseSecretsInput('{"A": hunter2}')).toThrow(/not valid JSON/);
    expect(() => parseSecretsInput('{"A": hunter2}')).not.toThrow(/hunter2/);
    expect(() => parseSecretsInput('{"A": 12345}')).toThrow(/value of A is not a string/);
  });

  test('a listed secret that is missing or empty fails, naming it', () => {
    expect(() => releaseEnv(env, new Map([['SECRET_KEY', 'k']]), 'n', 'parking')).toThrow(/no value for DATABASE_PASSWORD \(listed under env.secret of production\)/);
    expect(() => releaseEnv(env, new Map([['SECRET_KEY', 'k'], ['DATABASE_PASSWORD', '']]), 'n', 'parking')).toThrow(/no value for DATABASE_PASSWORD/);
  });

  test('NUL bytes and huge values are refused naming the secret only', () => {
    const nul = new Map([['SECRET_KEY', 'ab\0cd-value'], ['DATABASE_PASSWORD', 'p']]);
    expect(() => releaseEnv(env, nul, 'n', 'parking')).toThrow(/secret SECRET_KEY holds a NUL byte/);
    const huge = new Map([['SECRET_KEY', 'k'], ['DATABASE_PASSWORD', 'x'.repeat(MAX_SECRET_BYTES + 1)]]);
    expect(() => releaseEnv(env, huge, 'n', 'parking')).toThrow(/secret DATABASE_PASSWORD is 65537 bytes/);
  });

  test('only the listed names go into the file; its hash changes with every run (a random line)', () => {
    const secrets = new Map([['SECRET_KEY', 'k1'], ['DATABASE_PASSWORD', 'p1'], ['UNLISTED', 'nope']]);
    const a = releaseEnv(env, secrets, 'nonce-a', 'parking')!;
    expect(a.content).toContain('SECRET_KEY="k1"');
    expect(a.content).not.toContain('nope');
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(releaseEnv(env, secrets, 'nonce-b', 'parking')!.sha256).not.toBe(a.sha256);
  });
});

const HOSTILE_VALUES: Record<string, string> = {
  QUOTES: `it's "quoted" \\' \\"`,
  BACKSLASH_END: 'ends with \\',
  EQUALS: 'a=b==c',
  DOLLARS: '$HOME ${X} $$ $(id) `id` ${X:-d}',
  NEWLINES: 'line1\nline2\r\nline3\n',
  UNICODE: 'é 😀 ü 中文 \u200b',
  HASH: ' #not a comment ',
  LITERAL_ESCAPES: 'a\\nb\\tc\\\\',
};

describe('the env file', () => {
  const composeAvailable = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0;
  (composeAvailable ? test : test.skip)('docker compose reads every value back exactly as given (no interpolation, no unquoting)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pci-env-'));
    writeFileSync(join(dir, 'values.env'), `${Object.entries(HOSTILE_VALUES).map(([k, v]) => envLine(k, v)).join('\n')}\n`);
    writeFileSync(join(dir, 'compose.yml'), 'services:\n  web:\n    image: example/web\n    env_file: [values.env]\n');
    const r = spawnSync('docker', ['compose', '-f', join(dir, 'compose.yml'), 'config', '--format', 'json'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const environment = (JSON.parse(r.stdout) as { services: { web: { environment: Record<string, string> } } }).services.web.environment;
    // compose prints a literal "$" as "$$" in its own output
    for (const [name, value] of Object.entries(HOSTILE_VALUES)) expect(environment[name]).toBe(value.replace(/\$/g, '$$$$'));
  });

  test('written by a real bash: mode 0600 in a 0700 directory, byte for byte; the printed script shows no value', () => {
    const appDir = mkdtempSync(join(tmpdir(), 'pci-app-'));
    const local: Environment = { ...env, appDir };
    const content = `${Object.entries(HOSTILE_VALUES).map(([k, v]) => envLine(k, v)).join('\n')}\n`;
    const script = writeEnvFileScript(local, 'v2', 'a'.repeat(64), content);
    const r = spawnSync('bash', ['-euo', 'pipefail', '-s'], { input: `umask 022\n${renderScript(script)}\n`, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const file = join(appDir, '.parking-ci/env', envFileName('v2', 'a'.repeat(64)));
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(appDir, '.parking-ci/env')).mode & 0o777).toBe(0o700);
    const printed = renderScript(script, true);
    expect(printed).toContain('[redacted]');
    for (const value of Object.values(HOSTILE_VALUES)) expect(printed).not.toContain(value);
  });

  test('the override gives every app service the release env file; a release without one gets none', () => {
    const file = releaseEnvFile(env, { version: 'v2', image: 'i:v2', envSha256: 'b'.repeat(64) })!;
    expect(file).toBe(`/opt/parking/.parking-ci/env/v2-${'b'.repeat(16)}.env`);
    const yaml = overrideYaml(env, 'i:v2', {}, file);
    for (const s of ['web', 'worker', 'beat']) expect(yaml).toContain(`  ${s}:\n    image: i:v2\n    env_file:\n      - ${file}\n`);
    expect(overrideYaml(env, 'i:v1', {}, releaseEnvFile(env, { version: 'v1', image: 'i:v1' }))).not.toContain('env_file');
  });

  test('pruning keeps the env file of every release it keeps (the newest line of each) and removes the rest', () => {
    const line = (version: string, sha: string | undefined, status: Release['status'] = 'deployed'): Release => ({ version, image: `i:${version}`, digest: '', status, at: '', 'git-sha': '', actor: '', 'run-url': '', ...(sha ? { 'env-sha256': sha.repeat(64) } : {}) });
    const history = [line('v1', 'a'), line('v2', 'b'), line('v3', 'c', 'failed'), line('v2', 'd'), line('v4', 'e')];
    const present = ['v1', 'v2', 'v3', 'v2', 'v4'].map((v, i) => envFileName(v, 'abcde'[i]!.repeat(64))).concat(['v4-x.env.tmp', 'notes.txt']);
    expect(envFilesToPrune(history, 2, present)).toEqual([envFileName('v1', 'a'.repeat(64)), envFileName('v2', 'b'.repeat(64)), envFileName('v3', 'c'.repeat(64)), 'v4-x.env.tmp']);
  });
});

describe('hooks', () => {
  const context = { version: 'v2', previousVersion: 'v1', hosts: ['10.0.0.11', '10.0.0.12'], environment: 'production', envFile: '/opt/parking/.parking-ci/env/v2-x.env' };

  test('in a one-off container of the release, like the migration, with the PARKING_CI_ variables', () => {
    const text = renderScript(hookScript({ app: 'parking', env, flavor: 'plugin', override: '/opt/parking/.parking-ci/compose/v2.yml' }, env.hooks['pre-deploy']!, context));
    expect(text).toBe(
      'cd /opt/parking\ntimeout --signal=TERM --kill-after=30 600 docker compose --project-name parking --project-directory /opt/parking -f /opt/parking/docker-compose.yml -f /opt/parking/.parking-ci/compose/v2.yml run --rm --no-deps -T' +
        ' -e PARKING_CI_VERSION=v2 -e PARKING_CI_PREVIOUS_VERSION=v1 -e PARKING_CI_HOSTS=10.0.0.11,10.0.0.12 -e PARKING_CI_ENVIRONMENT=production -e PARKING_CI_ENV_FILE=/opt/parking/.parking-ci/env/v2-x.env' +
        " -- web sh -c 'python manage.py check --deploy' </dev/null 2>&1",
    );
  });

  test('in a shell on the host: run by a real bash in app-dir, with the variables; "backup: NAME" names the backup', () => {
    const appDir = mkdtempSync(join(tmpdir(), 'pci-hook-'));
    const hook = { command: 'echo "v=$PARKING_CI_VERSION p=$PARKING_CI_PREVIOUS_VERSION h=$PARKING_CI_HOSTS e=$PARKING_CI_ENVIRONMENT in=$PWD"; echo "backup: /b/x.dump"', in: 'host' as const, timeoutMs: 5000 };
    const r = spawnSync('bash', ['-euo', 'pipefail', '-s'], { input: renderScript(hookScript({ app: 'parking', env: { ...env, appDir }, flavor: 'plugin' }, hook, context)), encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`v=v2 p=v1 h=10.0.0.11,10.0.0.12 e=production in=${appDir}`);
    expect(parseBackupName(r.stdout)).toBe('/b/x.dump');
  });

  test('a hook that reads stdin reads nothing: the rest of the step\'s script, on bash\'s stdin, still runs', () => {
    const appDir = mkdtempSync(join(tmpdir(), 'pci-hook-'));
    const hook = { command: 'echo "read: [$(cat)]"', in: 'host' as const, timeoutMs: 5000 };
    const script = renderScript([...hookScript({ app: 'parking', env: { ...env, appDir }, flavor: 'plugin' }, hook, context), ['echo', 'after the hook']]);
    const r = spawnSync('bash', ['-euo', 'pipefail', '-s'], { input: script, encoding: 'utf8' });
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: 'read: []\nafter the hook\n' });
  });
});

describe('the plan', () => {
  test('shows the hooks, where and when they run, and env names (clear values, never secret ones)', () => {
    const p = plan(config, env, { kind: 'deploy', version: 'v2', strategy: 'rolling', envSha256: 'f'.repeat(64) });
    expect(p.hooks.map((h) => [h.name, h.in, h.host.id])).toEqual([['pre-deploy', 'image', '10.0.0.11'], ['pre-migrate', 'host', '10.0.0.11'], ['post-deploy', 'image', '10.0.0.11']]);
    const text = describePlan(p).join('\n');
    expect(text).toContain('environment: clear PARKING_GREETING="hello world", DEBUG="false"; secret SECRET_KEY, DATABASE_PASSWORD (values masked)');
    expect(text).toContain('hook pre-migrate (in a shell on the host, on 10.0.0.11): echo backup: /backups/x.dump');
    const rollback = describePlan(plan(config, env, { kind: 'rollback', version: 'previous', strategy: 'rolling' })).join('\n');
    expect(rollback).toContain("environment: each host starts the release with that release's own environment file");
    expect(rollback).not.toContain('pre-migrate');
  });
});
