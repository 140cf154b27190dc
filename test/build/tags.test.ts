import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildEvent, parsePayload } from '../../src/build/github-context.js';
import { ociLabels } from '../../src/build/labels.js';
import { computeTags, parseSemver, sanitizeTag, tagsFromInput } from '../../src/build/tags.js';

const fixture = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')) as Record<string, unknown>;

/** The event as the runner presents it: the real payload plus the variables GitHub sets for that event. */
function event(eventName: string, payload: Record<string, unknown>, ref: string, sha: string): BuildEvent {
  return { eventName, ref, sha, payload: parsePayload(payload), repository: 'Codertocat/Hello-World', serverUrl: 'https://github.com' };
}
const tagsOf = (e: BuildEvent) => computeTags(e).tags.map((t) => t.tag);

const AFTER = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';

describe('tags computed from real event payloads', () => {
  test('a push to the default branch: sha-<7>, the branch, latest', () => {
    const p = fixture('octokit_push_with-new-branch.payload.json');
    const plan = computeTags(event('push', p, p.ref as string, p.after as string));
    expect(plan.tags.map((t) => t.tag)).toEqual(['sha-6113728', 'master', 'latest']);
    expect(plan.tags[2]!.why).toBe('master is the default branch');
    expect(plan.revision).toBe(AFTER);
    expect(plan.version).toBe('master');
  });

  test('a push to another branch: no latest, and the branch name is sanitized', () => {
    const p = fixture('octokit_push_with-new-branch.payload.json');
    expect(tagsOf(event('push', { ...p, ref: 'refs/heads/feature/Login+2FA' }, 'refs/heads/feature/Login+2FA', AFTER))).toEqual([
      'sha-6113728',
      'feature-Login-2FA',
    ]);
  });

  test('a push of a semver tag (derived from the new-branch payload): version, major.minor, major, latest, sha', () => {
    const p = { ...fixture('octokit_push_with-new-branch.payload.json'), ref: 'refs/tags/v1.2.3' };
    expect(tagsOf(event('push', p, 'refs/tags/v1.2.3', AFTER))).toEqual(['1.2.3', '1.2', '1', 'latest', 'sha-6113728']);
  });

  test('a prerelease tag gets only its own version and the sha, never latest', () => {
    const p = { ...fixture('octokit_push_with-new-branch.payload.json'), ref: 'refs/tags/v2.0.0-rc.1' };
    expect(tagsOf(event('push', p, 'refs/tags/v2.0.0-rc.1', AFTER))).toEqual(['2.0.0-rc.1', 'sha-6113728']);
  });

  test('a non-semver tag is used sanitized, with the sha', () => {
    const p = { ...fixture('octokit_push_with-new-branch.payload.json'), ref: 'refs/tags/release/2024-06' };
    expect(tagsOf(event('push', p, 'refs/tags/release/2024-06', AFTER))).toEqual(['release-2024-06', 'sha-6113728']);
  });

  test('a deleted ref fails with a clear line', () => {
    const p = fixture('octokit_push_payload.json');
    expect(() => computeTags(event('push', p, 'refs/tags/simple-tag', '0000000000000000000000000000000000000000'))).toThrow(
      'the push event deleted refs/tags/simple-tag: there is nothing to build (skip this step with `if: ${{ !github.event.deleted }}`)',
    );
  });

  test.each(['octokit_release_published.payload.json', 'octokit_release_created.payload.json'])(
    'a release (%s) is tagged from release.tag_name; 0.x gets no floating major',
    (file) => {
      const p = fixture(file);
      expect(tagsOf(event('release', p, 'refs/tags/0.0.1', AFTER))).toEqual(['0.0.1', '0.0', 'latest', 'sha-6113728']);
    },
  );

  test('a release marked prerelease in the payload does not move latest', () => {
    const p = fixture('octokit_release_published.payload.json');
    const release = { ...(p.release as object), tag_name: 'v3.1.0', prerelease: true };
    expect(tagsOf(event('release', { ...p, release }, 'refs/tags/v3.1.0', AFTER))).toEqual(['3.1.0', 'sha-6113728']);
  });

  test.each(['octokit_pull_request_opened.payload.json', 'octokit_pull_request_synchronize.payload.json'])(
    'a pull request (%s): pr-<n> and the sha of its head commit, not of the merge commit',
    (file) => {
      const p = fixture(file);
      const plan = computeTags(event('pull_request', p, 'refs/pull/2/merge', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'));
      expect(plan.tags.map((t) => t.tag)).toEqual(['pr-2', 'sha-ec26c3e']);
      expect(plan.revision).toBe('ec26c3e57ca3a959ca5aad62de7213c562f8c821');
    },
  );

  test('workflow_dispatch: the branch and the sha, no latest even on the default branch', () => {
    const p = fixture('octokit_workflow_dispatch_payload.json');
    expect(tagsOf(event('workflow_dispatch', p, p.ref as string, AFTER))).toEqual(['sha-6113728', 'master']);
  });

  test('an event on no branch or tag (schedule on a detached ref) is tagged by its commit only', () => {
    expect(tagsOf(event('schedule', {}, '', AFTER))).toEqual(['sha-6113728']);
  });

  test('a missing GITHUB_SHA is an error, not a tag like sha-', () => {
    expect(() => computeTags(event('push', { ref: 'refs/heads/main' }, 'refs/heads/main', ''))).toThrow('GITHUB_SHA is empty');
  });
});

describe('OCI labels', () => {
  test('carry source, url, title, revision, version and creation time from the event', () => {
    const p = fixture('octokit_pull_request_opened.payload.json');
    const e = event('pull_request', p, 'refs/pull/2/merge', AFTER);
    const plan = computeTags(e);
    expect(ociLabels(e, plan.version, plan.revision, new Date('2024-05-06T07:08:09Z'))).toEqual({
      'org.opencontainers.image.created': '2024-05-06T07:08:09.000Z',
      'org.opencontainers.image.revision': 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
      'org.opencontainers.image.version': 'pr-2',
      'org.opencontainers.image.source': 'https://github.com/Codertocat/Hello-World',
      'org.opencontainers.image.url': 'https://github.com/Codertocat/Hello-World',
      'org.opencontainers.image.title': 'Hello-World',
    });
  });

  test('fall back to GITHUB_REPOSITORY when the payload has no repository', () => {
    const e: BuildEvent = { eventName: 'schedule', ref: '', sha: AFTER, payload: {}, repository: 'acme/parking', serverUrl: 'https://github.com' };
    const labels = ociLabels(e, 'sha-6113728', AFTER, new Date(0));
    expect(labels['org.opencontainers.image.source']).toBe('https://github.com/acme/parking');
    expect(labels['org.opencontainers.image.title']).toBe('parking');
  });
});

describe('tag helpers', () => {
  test('semver: optional v, prerelease and build metadata; not a partial version', () => {
    expect(parseSemver('v1.2.3')).toEqual({ major: '1', minor: '2', patch: '3' });
    expect(parseSemver('1.2.3-beta.1+exp.sha.5114f85')).toEqual({ major: '1', minor: '2', patch: '3', prerelease: 'beta.1', build: 'exp.sha.5114f85' });
    expect(parseSemver('v1.2')).toBeUndefined();
    expect(parseSemver('01.2.3')).toBeUndefined();
  });

  test('build metadata becomes -build (a + is not allowed in a Docker tag)', () => {
    const p = { ref: 'refs/tags/v1.0.0+20240101' };
    expect(tagsOf(event('push', p, 'refs/tags/v1.0.0+20240101', AFTER))[0]).toBe('1.0.0-20240101');
  });

  test('sanitize: invalid runs become -, no leading . or -, at most 128 characters', () => {
    expect(sanitizeTag('dependabot/npm_and_yarn/foo-1.2')).toBe('dependabot-npm_and_yarn-foo-1.2');
    expect(sanitizeTag('-.hidden')).toBe('hidden');
    expect(sanitizeTag('x'.repeat(200))).toHaveLength(128);
  });

  test('the tags input overrides the computed tags and is still validated', () => {
    expect(tagsFromInput(['v1', 'stable', 'v1'], 'reg.example.com/acme/web').map((t) => t.tag)).toEqual(['v1', 'stable']);
    expect(tagsFromInput(['reg.example.com/acme/web:edge'], 'reg.example.com/acme/web').map((t) => t.tag)).toEqual(['edge']);
    expect(() => tagsFromInput(['-bad'], 'acme/web')).toThrow('input "tags": "-bad" is not a valid Docker tag');
    expect(() => tagsFromInput(['a'.repeat(129)], 'acme/web')).toThrow('is not a valid Docker tag');
    expect(() => tagsFromInput(['other/image:v1'], 'acme/web')).toThrow('"other/image:v1" is not a tag of acme/web');
  });
});
