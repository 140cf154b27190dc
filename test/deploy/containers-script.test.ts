// The project's containers as a host lists them: real bash -euo pipefail and a stand-in `docker`.
// Another run may remove a container between `docker ps` and `docker inspect` (seen in CI: a second
// deploy's preflight failed with "No such object" instead of naming the lock's holder): the list is
// then read again; a second failure is still an error.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseContainers, projectContainersScript } from '../../src/commands/compose.js';
import { renderScript } from '../../src/commands/shell.js';

/**
 * A `docker` whose `ps` lists the ids in $dir/ps (one read per call, in turn: ps.1, ps.2, ...) and
 * whose `inspect` fails for an id not in $dir/alive, like the real one (partial output, exit 1).
 */
function fakeDocker(lists: string[][], alive: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-docker-ps-'));
  lists.forEach((ids, i) => writeFileSync(join(dir, `ps.${i + 1}`), ids.map((id) => `${id}\n`).join('')));
  writeFileSync(join(dir, 'alive'), alive.map((id) => `${id}\n`).join(''));
  writeFileSync(
    join(dir, 'docker'),
    `#!/bin/bash
d=${JSON.stringify(dir)}
if [ "$1" = ps ]; then n=$(( $(cat "$d/n" 2>/dev/null || echo 0) + 1 )); echo $n > "$d/n"; cat "$d/ps.$n" 2>/dev/null || cat "$d/ps.${lists.length}"; exit 0; fi
if [ "$1" = inspect ]; then shift 2; shift; rc=0
  for id in "$@"; do if grep -qx "$id" "$d/alive"; then printf '%s\\tweb\\timg:v1\\trunning\\tsha256:aa\\tparking_default=172.17.0.2 \\t2026-12-01T00:00:00Z\\n' "$id"; else echo "Error: No such object: $id" >&2; rc=1; fi; done
  exit $rc; fi
exit 2
`,
  );
  chmodSync(join(dir, 'docker'), 0o755);
  return dir;
}

function run(dir: string, all = true) {
  const r = spawnSync('bash', ['-euo', 'pipefail', '-s'], { input: renderScript(projectContainersScript('parking', all)), encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('every listed container is inspected, one line each', () => {
  const r = run(fakeDocker([['a1', 'b2']], ['a1', 'b2']));
  expect(r.status).toBe(0);
  expect(r.stdout.trim().split('\n').map((l) => l.split('\t')[0])).toEqual(['a1', 'b2']);
});

test('a container removed between the listing and inspect: the list is read again, no error', () => {
  const r = run(fakeDocker([['a1', 'gone'], ['a1']], ['a1']));
  expect(r.status).toBe(0);
  expect(r.stderr).toBe('');
  expect(r.stdout.trim().split('\n').map((l) => l.split('\t')[0])).toEqual(['a1']);
});

test('no containers: nothing printed', () => {
  const r = run(fakeDocker([[]], []));
  expect(r).toEqual({ status: 0, stdout: '', stderr: '' });
});

test('inspect failing twice is an error (the engine is not answering, not a race)', () => {
  const r = run(fakeDocker([['gone'], ['gone']], []));
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/No such object: gone/);
});

test('the output parses as the containers it lists', () => {
  const r = run(fakeDocker([['a1']], ['a1']));
  expect(parseContainers(r.stdout).map((c) => c.id)).toEqual(['a1']);
});
