// The release process: release.yml publishes an immutable vX.Y.Z (after the tests and the dist check)
// with its CHANGELOG.md section as the notes and moves the major tag forward only; CHANGELOG.md keeps
// the Keep a Changelog shape; Dependabot watches npm and the pinned actions. The release scripts are
// run with bash as the runner would run them, in a scratch git repository, with a `gh` stand-in that
// records what it was asked to do.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { type Step, ROOT, commandLines, needsOf, ourWorkflow, runStep } from './workflows.js';

const release = ourWorkflow('release.yml').workflow;
const stepOf = (job: string, match: (s: Step) => boolean): Step => release.jobs[job]!.steps!.find(match)!;

describe('release.yml', () => {
  test('runs on a pushed vX.Y.Z tag, or by hand with a version', () => {
    expect(release.on.push).toEqual({ tags: ['v[0-9]+.[0-9]+.[0-9]+'] });
    expect(release.on.workflow_dispatch.inputs.version).toMatchObject({ type: 'string', required: true });
  });

  test('publishes only after the version check, the tests (ci.yml) and the dist check (check-dist.yml)', () => {
    expect(needsOf(release.jobs.publish!).sort()).toEqual(['dist', 'test', 'version']);
    expect(release.jobs.test!.uses).toBe('./.github/workflows/ci.yml');
    expect(release.jobs.dist!.uses).toBe('./.github/workflows/check-dist.yml');
    for (const f of ['ci.yml', 'check-dist.yml']) expect(Object.keys(ourWorkflow(f).workflow.on)).toContain('workflow_call');
    expect(ourWorkflow('check-dist.yml').text).toContain('git diff --exit-code');
  });

  test('only the publish job may write, and only contents', () => {
    expect(release.permissions).toEqual({});
    for (const [name, job] of Object.entries(release.jobs)) {
      expect([name, job.permissions]).toEqual([name, name === 'publish' ? { contents: 'write' } : { contents: 'read' }]);
    }
    expect(release.concurrency).toMatchObject({ group: 'release', 'cancel-in-progress': false });
  });
});

/** A scratch repository with a package.json, a CHANGELOG.md and the given tags on its first commit. */
function scratchRepo(version: string, changelog: string, tags: string[] = []): { dir: string; sha: string } {
  const dir = mkdtempSync(join(tmpdir(), 'parking-ci-release-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'parking-ci', version }));
  writeFileSync(join(dir, 'CHANGELOG.md'), changelog);
  git('add', '.');
  git('commit', '-qm', 'first');
  for (const t of tags) git('tag', t);
  git('commit', '-q', '--allow-empty', '-m', 'second');
  // What actions/checkout with fetch-depth 0 leaves: the default branch as a remote-tracking ref.
  git('update-ref', 'refs/remotes/origin/main', 'HEAD');
  return { dir, sha: git('rev-parse', 'HEAD') };
}

const CHANGELOG = (v: string) => `# Changelog\n\n## [Unreleased]\n\n## [${v}] - 2026-12-01\n\n### Fixed\n\n- A fix.\n- status=forged\n\n## [1.0.0] - 2026-11-01\n\n### Added\n\n- Everything.\n`;

describe('release.yml: the version check (run with bash in a scratch repository)', () => {
  const version = stepOf('version', (s) => s.id === 'version');
  const check = (repo: { dir: string; sha: string }, env: Record<string, string>) => runStep(version, { EVENT_NAME: 'workflow_dispatch', SHA: repo.sha, DEFAULT_BRANCH: 'main', ...env }, repo.dir);

  test('a dispatched version: tag, major, the CHANGELOG section as notes, and the major tag moves', () => {
    const repo = scratchRepo('1.1.0', CHANGELOG('1.1.0'), ['v1.0.0']);
    for (const input of ['1.1.0', 'v1.1.0']) {
      const r = check(repo, { VERSION_INPUT: input });
      expect([r.status, r.stdout]).toEqual([0, '']);
      expect(r.entries.map(([n]) => n)).toEqual(['version', 'tag', 'major', 'move-major', 'notes']);
      expect(r.outputs).toMatchObject({ version: '1.1.0', tag: 'v1.1.0', major: 'v1', 'move-major': 'true' });
      expect(r.outputs.notes!.trim()).toBe('### Fixed\n\n- A fix.\n- status=forged');
    }
  });

  test.each(['1.1', '01.1.0', '1.1.0-rc.1', '1.1.0\nmove-major=true', '::error::x', ''])('refuses the version %j naming the input, with no output', (input) => {
    const r = check(scratchRepo('1.1.0', CHANGELOG('1.1.0')), { VERSION_INPUT: input });
    expect(r.status).toBe(1);
    expect(commandLines(r.stdout)).toEqual(['::error::Input version: expected X.Y.Z (numbers without leading zeros), like 1.4.0.']);
    expect(r.entries).toEqual([]);
  });

  test('a version is released once: a dispatch for an existing tag fails', () => {
    const r = check(scratchRepo('1.0.0', CHANGELOG('1.0.0'), ['v1.0.0']), { VERSION_INPUT: '1.0.0' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('::error::The tag v1.0.0 exists already: a version is released once.');
  });

  test('a pushed tag must point at the commit being released', () => {
    const repo = scratchRepo('1.1.0', CHANGELOG('1.1.0'), ['v1.1.0']); // on the first commit, not HEAD
    const r = check(repo, { EVENT_NAME: 'push', REF_NAME: 'v1.1.0' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('::error::The tag v1.1.0 does not point at the commit being released.');
    execFileSync('git', ['tag', '-f', 'v1.1.0', 'HEAD'], { cwd: repo.dir, stdio: 'ignore' });
    expect(check(repo, { EVENT_NAME: 'push', REF_NAME: 'v1.1.0' }).outputs.tag).toBe('v1.1.0');
  });

  test('only a commit of the default branch is released', () => {
    const repo = scratchRepo('1.1.0', CHANGELOG('1.1.0'));
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'side'], { cwd: repo.dir });
    const side = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo.dir, encoding: 'utf8' }).trim();
    const r = check({ dir: repo.dir, sha: side }, { VERSION_INPUT: '1.1.0' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('::error::The commit being released is not on the default branch (main): release from there.');
  });

  test('package.json must carry the version, and CHANGELOG.md its section', () => {
    expect(check(scratchRepo('1.0.0', CHANGELOG('1.1.0')), { VERSION_INPUT: '1.1.0' }).stdout).toContain('::error::package.json has version 1.0.0: set it to 1.1.0');
    expect(check(scratchRepo('1.2.0', CHANGELOG('1.1.0')), { VERSION_INPUT: '1.2.0' }).stdout).toContain('::error::CHANGELOG.md has no section "## [1.2.0] - YYYY-MM-DD"');
  });

  test('the major tag moves only forward: a patch of an older minor leaves it', () => {
    const r = check(scratchRepo('1.2.4', CHANGELOG('1.2.4'), ['v1.2.3', 'v1.3.0', 'v1.10.0-x', 'v2.0.0']), { VERSION_INPUT: '1.2.4' });
    expect(r.outputs['move-major']).toBe('false');
    const newer = check(scratchRepo('1.10.0', CHANGELOG('1.10.0'), ['v1.9.0', 'v1.2.3']), { VERSION_INPUT: '1.10.0' });
    expect(newer.outputs['move-major']).toBe('true');
  });
});

describe('release.yml: publishing (run with bash and a gh stand-in)', () => {
  const create = stepOf('publish', (s) => s.name === 'Create the release');
  const move = stepOf('publish', (s) => s.name === 'Move the major tag');

  /** A `gh` that logs its arguments and fails the calls listed in GH_FAIL (a regexp). */
  function fakeGh(): { bin: string; log: string } {
    const bin = mkdtempSync(join(tmpdir(), 'parking-ci-gh-'));
    const log = join(bin, 'calls');
    writeFileSync(log, '');
    mkdirSync(join(bin, 'bin'));
    writeFileSync(
      join(bin, 'bin', 'gh'),
      `#!/bin/bash\nprintf '%s\\n' "$*" >>"${log}"\nif [[ "$1" == release && "$2" == create ]]; then for a; do [[ "$prev" == --notes-file ]] && cp "$a" "${log}.notes"; prev=$a; done; fi\nif [[ -n "$GH_FAIL" && "$*" =~ $GH_FAIL ]]; then exit 1; fi\n`,
    );
    chmodSync(join(bin, 'bin', 'gh'), 0o755);
    return { bin: join(bin, 'bin'), log };
  }
  const calls = (log: string) => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);

  test('creates the release at the commit with the notes, never over an existing one', () => {
    const gh = fakeGh();
    const env = { PATH: `${gh.bin}:${process.env.PATH}`, RUNNER_TEMP: mkdtempSync(join(tmpdir(), 'rt-')), TAG: 'v1.1.0', NOTES: '### Fixed\n\n- A fix.', LATEST: 'true', SHA: 'abc123', GH_FAIL: '^release view' };
    const r = runStep(create, env);
    expect(r.status).toBe(0);
    expect(calls(gh.log)).toEqual(['release view v1.1.0', expect.stringMatching(/^release create v1\.1\.0 --target abc123 --title v1\.1\.0 --notes-file \S+ --latest=true$/)]);
    expect(readFileSync(`${gh.log}.notes`, 'utf8')).toBe('### Fixed\n\n- A fix.\n');

    const again = fakeGh();
    const exists = runStep(create, { ...env, PATH: `${again.bin}:${process.env.PATH}`, GH_FAIL: '' });
    expect(exists.status).toBe(1);
    expect(exists.stdout).toContain('::error::The release v1.1.0 exists already');
    expect(calls(again.log)).toEqual(['release view v1.1.0']);
  });

  test('moves the major tag (or creates it) through the API, only when the version check says so', () => {
    expect(move.if).toBe("${{ needs.version.outputs.move-major == 'true' }}");
    const existing = fakeGh();
    expect(runStep(move, { PATH: `${existing.bin}:${process.env.PATH}`, GH_REPO: 'org/parking-ci', MAJOR: 'v1', SHA: 'abc123' }).status).toBe(0);
    expect(calls(existing.log)).toEqual(['api repos/org/parking-ci/git/ref/tags/v1', 'api -X PATCH repos/org/parking-ci/git/refs/tags/v1 -f sha=abc123 -F force=true']);
    const missing = fakeGh();
    expect(runStep(move, { PATH: `${missing.bin}:${process.env.PATH}`, GH_REPO: 'org/parking-ci', MAJOR: 'v1', SHA: 'abc123', GH_FAIL: 'git/ref/tags' }).status).toBe(0);
    expect(calls(missing.log)).toEqual(['api repos/org/parking-ci/git/ref/tags/v1', 'api -X POST repos/org/parking-ci/git/refs -f ref=refs/tags/v1 -f sha=abc123']);
  });
});

describe('CHANGELOG.md', () => {
  const text = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
  const headings = text.split('\n').filter((l) => l.startsWith('## '));

  test('is a Keep a Changelog file: Unreleased first, then X.Y.Z - YYYY-MM-DD, newest first', () => {
    expect(text.startsWith('# Changelog\n')).toBe(true);
    expect(headings[0]).toBe('## [Unreleased]');
    const versions = headings.slice(1).map((h) => /^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$/.exec(h)?.[1] ?? h);
    for (const v of versions) expect(v).toMatch(/^\d+\.\d+\.\d+$/);
    const sorted = [...versions].sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
    expect(versions).toEqual(sorted);
  });

  test('uses only the standard kinds of change, and links every heading', () => {
    for (const l of text.split('\n').filter((x) => x.startsWith('### '))) expect(['### Added', '### Changed', '### Deprecated', '### Removed', '### Fixed', '### Security']).toContain(l);
    for (const h of headings) {
      const name = /^## \[([^\]]+)\]/.exec(h)![1]!;
      expect(text).toMatch(new RegExp(`^\\[${name.replace(/\./g, '\\.')}\\]: https://`, 'm'));
    }
  });

  test('covers what exists today: every action and reusable workflow is named', () => {
    for (const name of ['plan', 'deploy', 'rollback', 'lint', 'pytest', 'scan', 'build', 'notify', 'pipeline.yml', 'pr-checks.yml', 'rollback.yml']) expect(text).toContain(`\`${name}\``);
  });
});

describe('.github/dependabot.yml', () => {
  const config = parse(readFileSync(join(ROOT, '.github', 'dependabot.yml'), 'utf8'));
  const update = (ecosystem: string) => config.updates.find((u: { 'package-ecosystem': string }) => u['package-ecosystem'] === ecosystem);

  test('updates the npm packages and the actions pinned in the workflows, weekly', () => {
    expect(config.version).toBe(2);
    for (const e of ['npm', 'github-actions']) expect(update(e)).toMatchObject({ directory: '/', schedule: { interval: 'weekly' } });
  });

  test('keeps @types/node on the major of the node24 runtime', () => {
    expect(update('npm').ignore).toContainEqual({ 'dependency-name': '@types/node', 'update-types': ['version-update:semver-major'] });
  });
});
