// Every hostile report case through the real lint, pytest or scan bundle, as the runner runs it, with
// the network blocked: a clear error naming the input or a correct result; never a hang, a crash, a
// write outside the workspace, a leak of the runner's files or environment, or a forged workflow command.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type ActionResult, newRunnerDirs, runAction } from '../../testkit/run-action.js';
import { OFFLINE_ENV, fixturePath } from '../reports/fixtures.js';
import { type FileSpec, type ReportCase, cases } from './reports.cases.js';

const CANARY = 'canary-contents-that-must-not-change';
const ENV_CANARY = 'env-canary-7f3a9c1e-never-printed';
const offline = { ...OFFLINE_ENV, PARKING_CI_TEST_CANARY: ENV_CANARY };

/** A workspace and, beside it, the folder nothing may touch. */
function layout(): { workspace: string; outside: string } {
  const parent = mkdtempSync(join(tmpdir(), 'parking-ci-hostile-reports-'));
  const workspace = join(parent, 'workspace');
  const outside = join(parent, 'outside');
  mkdirSync(workspace);
  mkdirSync(join(outside, 'dir'), { recursive: true });
  writeFileSync(join(outside, 'canary.txt'), CANARY);
  writeFileSync(join(outside, 'dir', 'junit.xml'), '<testsuite name="outside"><testcase name="x"><failure message="outside"/></testcase></testsuite>');
  return { workspace, outside };
}

async function materialise(workspace: string, outside: string, files: Record<string, FileSpec>): Promise<Server[]> {
  const servers: Server[] = [];
  for (const [name, spec] of Object.entries(files)) {
    const path = join(workspace, name);
    mkdirSync(dirname(path), { recursive: true });
    if ('text' in spec) writeFileSync(path, spec.text);
    else if ('base64' in spec) writeFileSync(path, Buffer.from(spec.base64, 'base64'));
    else if ('utf16le' in spec) writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(spec.utf16le, 'utf16le')]));
    else if ('fixture' in spec) writeFileSync(path, readFileSync(fixturePath(spec.fixture)));
    else if ('symlink' in spec) symlinkSync(spec.symlink.replace('$OUTSIDE', outside), path);
    else if ('fifo' in spec) execFileSync('mkfifo', [path]);
    else if ('dir' in spec) mkdirSync(path, { recursive: true });
    else if ('sparse' in spec) {
      writeFileSync(path, '');
      truncateSync(path, spec.sparse);
    } else if ('socket' in spec) {
      const server = createServer();
      await new Promise<void>((res) => server.listen(path, res));
      servers.push(server);
    }
  }
  return servers;
}

/** Every file under a folder with its size and contents' start, to see that nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    result[path] = entry.isFile() ? readFileSync(path, 'utf8') : entry.isDirectory() ? 'dir' : 'other';
  }
  return result;
}

/** Lines the runner would obey: only the action's own commands may start a line. */
function forgedCommands(r: ActionResult): string[] {
  const own = /^::(error|warning|notice)( [^:\n]*)?::|^::(group|endgroup|debug)::/;
  return r.stdout.split(/\r?\n|\r/).filter((line) => /^\s*(::|##\[)/.test(line) && !own.test(line));
}

/** Annotations of findings carry a title; the step's failure line (`core.setFailed`) is the only one without. */
const untitled = (r: ActionResult) => r.annotations.filter((a) => !a.properties.title);

describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c: ReportCase) => {
  test(`${c.action}: ${c.error ? 'fails naming the input' : 'reads it correctly'}`, async () => {
    const { workspace, outside } = layout();
    const dirs = newRunnerDirs(workspace);
    const servers = await materialise(workspace, outside, c.files ?? {});
    const before = snapshot(outside);
    const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, v.replace('$OUTSIDE', outside)]));
    let r: ActionResult;
    try {
      r = await runAction(c.action, { dirs, inputs, env: offline, timeoutMs: 30_000 });
    } finally {
      for (const s of servers) s.close();
    }

    // Never a hang or a crash.
    expect(r.signal).toBeNull();
    expect(r.durationMs).toBeLessThan(30_000);
    expect(r.stdout).not.toContain('Unexpected error');
    expect(r.stdout).not.toMatch(/^\s+at .*\.js:\d+/m);
    // Nothing outside the workspace changed; nothing of the runner's files or environment leaked.
    expect(snapshot(outside)).toEqual(before);
    expect(r.everything).not.toContain(CANARY);
    expect(r.everything).not.toContain(ENV_CANARY);
    expect(r.everything).not.toMatch(/root:x:0:0/);
    // Outside text never became a workflow command: every line the runner obeys is the action's own,
    // and the only annotation without a title is the failure line.
    expect(forgedCommands(r)).toEqual([]);
    expect(untitled(r).length).toBe(c.error ? 1 : 0);
    for (const level of ['error', 'warning', 'notice'] as const) expect(r.annotations.filter((a) => a.level === level).length).toBeLessThanOrEqual(10);

    if (c.error) {
      expect(r.exitCode).toBe(1);
      expect(untitled(r)[0]).toMatchObject({ level: 'error', message: expect.stringMatching(c.error) });
    } else {
      expect(r.exitCode).toBe(0);
    }
    if (c.outputs) expect(r.outputs).toMatchObject(c.outputs);
    for (const file of c.writes ?? []) expect(statSync(join(workspace, file)).isFile()).toBe(true);
  }, 60_000);
});

test('the suite holds at least 60 cases, each named once', () => {
  expect(cases.length).toBeGreaterThanOrEqual(60);
  expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
});
