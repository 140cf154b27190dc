// Drives every hostile config through the loader (from a file in a workspace, as the actions read
// it) and every row of this area through the plan action as the runner runs it.
import { jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig, selectEnvironment } from '../../src/config/load.js';
import { ValidationError, type Problem } from '../../src/errors.js';
import { runAction, type ActionResult } from '../../testkit/run-action.js';
import { CANARY, cases, type ConfigCase } from './config.cases.js';

const FILE = '.github/parking-ci.yml';

// Each row starts a node process; on a busy machine a dry-run deploy takes several seconds.
jest.setTimeout(120_000);

function workspaceWith(yaml: string | Buffer): string {
  const workspace = mkdtempSync(join(tmpdir(), 'parking-ci-hostile-config-'));
  mkdirSync(dirname(join(workspace, FILE)), { recursive: true });
  writeFileSync(join(workspace, FILE), yaml);
  return workspace;
}

async function problemsOf(c: ConfigCase): Promise<Problem[]> {
  const workspace = workspaceWith(c.yaml);
  const err = await loadConfig(join(workspace, FILE), FILE, workspace).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ValidationError)) throw new Error(`expected a ValidationError, got ${err === undefined ? 'a valid config' : String(err)}`);
  expect(err.file).toBe(FILE);
  expect(err.message).not.toContain(CANARY);
  return err.problems;
}

function expectMessage(actual: string, expected: string | RegExp): void {
  if (typeof expected === 'string') expect(actual).toBe(expected);
  else expect(actual).toMatch(expected);
}

/** Nothing that looks like a JavaScript stack frame, in either stream. */
function expectNoStackTrace(r: ActionResult): void {
  expect(r.stdout + r.stderr).not.toMatch(/^\s+at .+[:(]\d+:\d+\)?$/m);
  expect(r.stdout + r.stderr).not.toMatch(/Unexpected error|TypeError|RangeError|Maximum call stack/);
}

const rejected = cases.filter((c) => !c.accepted);
const accepted = cases.filter((c) => c.accepted);
const ours = cases.filter((c) => !c.name.startsWith('config (test/config)'));

describe('the loader refuses every hostile config with the key, the problem and its position', () => {
  test.each(rejected)('$name', async (c) => {
    const problems = await problemsOf(c);
    const problem = problems.find((p) => p.path === c.path);
    expect({ paths: problems.map((p) => p.path), found: !!problem }).toMatchObject({ found: true });
    expectMessage(problem!.message, c.message!);
    if (c.line !== undefined) expect(problem).toMatchObject({ line: c.line, column: c.column });
    else expect(problem!.line).toBeGreaterThanOrEqual(1);
    for (const p of problems) expect(p.message).not.toContain(CANARY);
  });

  test.each(accepted)('$name', async (c) => {
    const workspace = workspaceWith(c.yaml);
    const config = await loadConfig(join(workspace, FILE), FILE, workspace);
    expect(Object.keys(config.environments)).toEqual(c.accepted);
    for (const name of c.accepted!) expect(selectEnvironment(config, name, FILE).name).toBe(name);
  });
});

describe('the plan action on a hostile config: one clear failure with annotations, no stack trace, nothing of the file leaked', () => {
  test.concurrent.each(ours)('$name', async (c) => {
    const r = await runAction('plan', { workspace: workspaceWith(c.yaml), env: { PARKING_CI_CANARY: CANARY } });
    expectNoStackTrace(r);
    expect(r.everything).not.toContain(CANARY);
    if (c.accepted) {
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.outputs.environments!)).toEqual(c.accepted);
      return;
    }
    expect(r.exitCode).toBe(1);
    const errors = r.annotations.filter((a) => a.level === 'error');
    // Each problem at its position, then the step's own failure line that names the file.
    expect(errors.length).toBeGreaterThanOrEqual(2);
    const located = errors.find((a) => a.properties.title === 'Invalid configuration' && (c.path ? a.message.startsWith(`${c.path}: `) : true));
    expect(located).toBeDefined();
    expect(located!.properties.file).toBe(FILE);
    if (c.line !== undefined) expect(located!.properties).toMatchObject({ line: String(c.line), col: String(c.column) });
    expect(errors[errors.length - 1]!.message.startsWith(`${FILE}: `)).toBe(true);
  });
});
