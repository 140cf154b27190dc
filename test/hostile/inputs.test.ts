// Drives every hostile input row through its action as the runner runs it, and proves across all
// actions that no input or config value can start a workflow command in the log.
import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, runAction, type ActionResult } from '../../testkit/run-action.js';
import { BASELINE, CONFIG_FILE, FILE_CANARY, SECRET_CANARY, VALID_CONFIG, cases, type InputCase } from './inputs.cases.js';

// Each row starts a node process; on a busy machine a dry-run deploy takes several seconds.
jest.setTimeout(120_000);

function workspace(config = VALID_CONFIG): string {
  const dir = mkdtempSync(join(tmpdir(), 'parking-ci-hostile-inputs-'));
  mkdirSync(join(dir, '.github'), { recursive: true });
  writeFileSync(join(dir, CONFIG_FILE), config);
  return dir;
}

/** Nothing that looks like a JavaScript stack frame or an internal failure, in either stream. */
function expectNoStackTrace(r: ActionResult): void {
  expect(r.stdout + r.stderr).not.toMatch(/^\s+at .+[:(]\d+:\d+\)?$/m);
  expect(r.stdout + r.stderr).not.toMatch(/Unexpected error|TypeError|RangeError|Maximum call stack/);
}

/** No canary from a file or the environment anywhere; a secret input only in the runner's own mask commands. */
function expectNoCanary(r: ActionResult): void {
  expect(r.everything).not.toContain(FILE_CANARY);
  const unmasked = r.everything.split('\n').filter((line) => line.includes(SECRET_CANARY) && !line.startsWith('::add-mask::'));
  expect(unmasked).toEqual([]);
}

function inputsOf(c: Pick<InputCase, 'action' | 'inputs'>): Record<string, string | undefined> {
  const inputs: Record<string, string | undefined> = { ...BASELINE[c.action], ...c.inputs };
  for (const [k, v] of Object.entries(inputs)) if (v === '') delete inputs[k];
  return inputs;
}

describe('hostile inputs of plan, deploy and rollback: one clear failure naming the input, nothing touched, nothing leaked', () => {
  test.concurrent.each(cases)('$name', async (c) => {
    const dir = workspace();
    c.setup?.(dir);
    const r = await runAction(c.action, { workspace: dir, inputs: inputsOf(c), env: { PARKING_CI_CANARY: FILE_CANARY }, timeoutMs: 60_000 });
    expect(r.signal).toBeNull(); // a FIFO or a device never hangs the step
    expectNoStackTrace(r);
    expectNoCanary(r);
    if (c.succeeds) {
      expect({ exitCode: r.exitCode, errors: r.annotations.filter((a) => a.level === 'error').map((a) => a.message) }).toEqual({ exitCode: 0, errors: [] });
      expect(r.stdout).toMatch(c.message);
      return;
    }
    expect(r.exitCode).toBe(1);
    const failure = r.annotations.filter((a) => a.level === 'error').at(-1)?.message ?? '';
    expect(failure).toMatch(c.message);
    // The line names the input, or the file the input named.
    const value = c.inputs[c.input] ?? '';
    expect(failure.includes(c.input) || (value !== '' && failure.startsWith(`${value}: `))).toBe(true);
    // Nothing remote ran: a dry run prints its commands, and none was reached.
    expect(r.stdout).not.toMatch(/^\[dry-run\]|^\$ ssh /m);
  });
});

// ---------------------------------------------------------------------------------------------
// Workflow commands: text from inputs and config values reaches the log; none may start a command.

const FORGED = 'v1\n::error::forged\n::stop-commands::x\n##[error]forged\n  ::warning file=a.py,line=1::forged\n::add-mask::v1';

/** Every workflow command a run printed that did not come from the action itself. */
function forgedCommands(stdout: string): string[] {
  return stdout.split(/\r\n|\r|\n/).filter((line) => {
    const command = /^\s*(?:##\[(\w+)\](.*)|::([\w-]+)(?: [^:]*)?::(.*))$/.exec(line);
    if (!command) return false;
    if (command[1] !== undefined) return true; // we never print ##[...]
    const [name, data] = [command[3]!, command[4]!];
    if (name === 'stop-commands') return true;
    // A mask of a secret input's own line is ours (the runner hides that text; it starts nothing).
    if (name === 'add-mask') return false;
    // Ours never start with white space, and never carry outside text at the start of their data.
    return data.startsWith('forged') || /^\s/.test(line);
  });
}

/** Reports the actions read when they are given (lint, pytest and scan then run no tool). */
const REPORTS: Record<string, string> = {
  'ruff.json': '[]',
  'mypy.txt': 'Success: no issues found in 1 source file\n',
  'junit.xml': '<?xml version="1.0"?><testsuite name="t" tests="1" failures="0" errors="0" skipped="0"><testcase classname="a" name="b" time="0.1"/></testsuite>',
  'coverage.xml': '<?xml version="1.0"?><coverage line-rate="0.9" branch-rate="0" version="7" timestamp="1"><packages/></coverage>',
  'trivy.json': '{"SchemaVersion":2,"ArtifactName":"acme/web","Results":[]}',
  'bandit.json': '{"errors":[],"results":[],"metrics":{}}',
  'pip-audit.json': '{"dependencies":[]}',
};

const ACTION_BASELINE: Record<string, Record<string, string>> = {
  plan: {},
  deploy: BASELINE.deploy,
  rollback: BASELINE.rollback,
  lint: { 'ruff-report': 'ruff.json', 'mypy-report': 'mypy.txt', 'tool-runner': 'path' },
  pytest: { 'junit-report': 'junit.xml', 'coverage-report': 'coverage.xml', 'tool-runner': 'path' },
  scan: { 'trivy-report': 'trivy.json', 'bandit-report': 'bandit.json', 'pip-audit-report': 'pip-audit.json', 'tool-runner': 'path' },
  build: { image: 'registry.example.com/acme/web', push: 'false' },
  notify: { channels: 'webhook', 'webhook-url': 'http://127.0.0.1:9/hook', retries: '0', timeout: '2s' },
};
const ACTION_FOLDER: Record<string, string> = { plan: '.' };

/**
 * Inputs whose text reaches the log raw through code other areas own and are changing in parallel,
 * tracked there (issue 16, item 2): notify prints its title, message and environment in the
 * "Sending ..." line; scan prints the sarif-file path it wrote; build's docker command echo shows
 * the `file` input with its line breaks.
 */
const ELSEWHERE = new Set<string>([]);

function inputNames(action: string): string[] {
  const file = join(ROOT, ACTION_FOLDER[action] ?? action, 'action.yml');
  return Object.keys((parse(readFileSync(file, 'utf8')) as { inputs?: Record<string, unknown> }).inputs ?? {});
}

const forgedRuns = Object.keys(ACTION_BASELINE).flatMap((action) =>
  inputNames(action)
    .filter((input) => !ELSEWHERE.has(`${action} ${input}`))
    .map((input) => ({ name: `${action} ${input}`, action, input })),
);

/** Config values that end up in log lines (plan's plan, deploy's dry-run commands, problems' messages). */
const FORGED_CONFIGS: { name: string; config: string }[] = [
  { name: 'a migrate command and a URL holding command text', config: `${VALID_CONFIG}    url: https://parking.example.com/::error::forged\n    migrate: {command: "python manage.py migrate ::error::forged ##[error]forged"}\n` },
  { name: 'an unknown key with a line break and a command', config: `${VALID_CONFIG}    "x\\n::error::forged": 1\n    "\\n::stop-commands::x": 2\n` },
  { name: 'values with line breaks and commands', config: VALID_CONFIG.replace('app: parking', 'app: "p\\n::error::forged"').replace('/opt/parking', '"/opt\\n##[error]forged"') },
  { name: 'a multi-line migrate command', config: `${VALID_CONFIG}    migrate:\n      command: |\n        python manage.py migrate\n        ::error::forged\n` },
  { name: 'an environment name holding a command', config: `${VALID_CONFIG}  "::error::forged":\n    hosts: [a]\n    app-dir: /o\n` },
  { name: 'a duplicate key holding a command', config: `${VALID_CONFIG}    "::error::forged": 1\n    "::error::forged": 2\n` },
];

describe('no input or config value starts a workflow command in the log, in any action', () => {
  test.concurrent.each(Object.keys(ACTION_BASELINE))('%s runs with its baseline and prints nothing forged', async (action) => {
    const dir = workspace();
    for (const [file, text] of Object.entries(REPORTS)) writeFileSync(join(dir, file), text);
    const r = await runAction(action, { workspace: dir, inputs: ACTION_BASELINE[action], env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, timeoutMs: 60_000 });
    expectNoStackTrace(r);
    expect(forgedCommands(r.stdout)).toEqual([]);
  });

  test.concurrent.each(forgedRuns)('$name holding workflow commands', async ({ action, input }) => {
    const dir = workspace();
    for (const [file, text] of Object.entries(REPORTS)) writeFileSync(join(dir, file), text);
    const r = await runAction(action, {
      workspace: dir,
      inputs: { ...ACTION_BASELINE[action], [input]: FORGED },
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
      timeoutMs: 60_000,
    });
    expectNoStackTrace(r);
    expect(forgedCommands(r.stdout)).toEqual([]);
  });

  const configRuns = FORGED_CONFIGS.flatMap((c) => (['plan', 'deploy', 'rollback'] as const).map((action) => ({ ...c, action, label: `${action}: ${c.name}` })));
  test.concurrent.each(configRuns)('$label', async ({ action, config }) => {
    const r = await runAction(action, { workspace: workspace(config), inputs: ACTION_BASELINE[action], timeoutMs: 60_000 });
    expectNoStackTrace(r);
    expect(forgedCommands(r.stdout)).toEqual([]);
  });

  test.concurrent.each(['plan', 'deploy', 'rollback'])('%s: a valid config file whose name holds workflow commands', async (action) => {
    const dir = workspace();
    const name = `ci-${FORGED.replace(/\//g, '_')}.yml`;
    writeFileSync(join(dir, name), VALID_CONFIG);
    const r = await runAction(action, { workspace: dir, inputs: { ...ACTION_BASELINE[action], config: name }, timeoutMs: 60_000 });
    expectNoStackTrace(r);
    expect(forgedCommands(r.stdout)).toEqual([]);
  });

  test('the check sees a forged command when there is one', () => {
    expect(forgedCommands('ok\n::error::forged\n')).toEqual(['::error::forged']);
    expect(forgedCommands('::stop-commands::x\n##[error]forged\n  ::warning file=a::forged')).toHaveLength(3);
    expect(forgedCommands('::error::input "x": got "v1%0A::error::forged"\n::add-mask::::error::forged')).toEqual([]);
  });
});
