import { UserError } from '../errors.js';
import type { BuildEvent } from './github-context.js';

/** A tag and the rule that produced it, so the summary can say why each tag exists. */
export interface ComputedTag {
  tag: string;
  why: string;
}

export interface TagPlan {
  tags: ComputedTag[];
  /** The version the image carries in its org.opencontainers.image.version label. */
  version: string;
  /** The commit the image is built from (the PR head for pull requests). */
  revision: string;
}

/** Docker's tag grammar. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/;

export interface Semver {
  major: string;
  minor: string;
  patch: string;
  prerelease?: string;
  build?: string;
}

export function parseSemver(text: string): Semver | undefined {
  const m = SEMVER.exec(text);
  if (!m) return undefined;
  return { major: m[1]!, minor: m[2]!, patch: m[3]!, ...(m[4] ? { prerelease: m[4] } : {}), ...(m[5] ? { build: m[5] } : {}) };
}

/** Turns a branch or git tag name into a valid Docker tag the way docker/metadata-action does. */
export function sanitizeTag(name: string): string {
  return name
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
}

export function validateTag(tag: string, source: string): string {
  if (!TAG_PATTERN.test(tag)) {
    throw new UserError(
      `${source}: ${JSON.stringify(tag)} is not a valid Docker tag (letters, digits, _ . -; at most 128; not starting with . or -)`,
    );
  }
  return tag;
}

const ZERO_SHA = /^0+$/;

/**
 * The tags docker/metadata-action users expect for this event:
 * branch push -> sha-<7>, branch (+ latest on the default branch); semver tag or release -> version,
 * major.minor, major (+ latest unless prerelease), sha; pull request -> pr-<n>, sha;
 * workflow_dispatch -> branch, sha.
 */
export function computeTags(event: BuildEvent): TagPlan {
  const { eventName, payload } = event;
  if (payload.deleted === true) {
    throw new UserError(
      `the ${eventName || 'push'} event deleted ${payload.ref ?? event.ref}: there is nothing to build (skip this step with \`if: \${{ !github.event.deleted }}\`)`,
    );
  }

  if (eventName === 'pull_request' || eventName === 'pull_request_target') {
    const number = payload.pull_request?.number ?? payload.number ?? prNumberFromRef(event.ref);
    if (number === undefined) throw new UserError(`${eventName} event without a pull request number in the payload or GITHUB_REF (${event.ref})`);
    const revision = payload.pull_request?.head.sha ?? requireSha(event);
    const pr = `pr-${number}`;
    return { tags: [{ tag: pr, why: `pull request #${number}` }, shaTag(revision, 'head commit of the pull request')], version: pr, revision };
  }

  if (eventName === 'release') {
    const tagName = payload.release?.tag_name ?? tagFromRef(event.ref);
    if (!tagName) throw new UserError(`release event without release.tag_name in the payload (GITHUB_REF ${event.ref})`);
    return gitTagPlan(tagName, requireSha(event), `release ${tagName}`, payload.release?.prerelease === true);
  }

  const ref = event.ref || payload.ref || '';
  const tagName = tagFromRef(ref);
  if (tagName !== undefined) return gitTagPlan(tagName, requireSha(event), `tag ${tagName}`, false);

  const branch = branchFromRef(ref);
  const revision = requireSha(event);
  if (branch === undefined) {
    // schedule, repository_dispatch on an unusual ref...: the commit is all we can name.
    const sha = shaTag(revision, 'commit');
    return { tags: [sha], version: sha.tag, revision };
  }
  const tags: ComputedTag[] = [shaTag(revision, 'commit'), branchTag(branch)];
  const defaultBranch = payload.repository?.default_branch;
  if (eventName === 'push' && defaultBranch !== undefined && branch === defaultBranch) {
    tags.push({ tag: 'latest', why: `${branch} is the default branch` });
  }
  return { tags, version: tags[1]!.tag, revision };
}

function gitTagPlan(tagName: string, revision: string, source: string, markedPrerelease: boolean): TagPlan {
  const semver = parseSemver(tagName);
  if (!semver) {
    const tag = { tag: sanitizeTag(tagName), why: source };
    validateTag(tag.tag, source);
    return { tags: [tag, shaTag(revision, 'commit')], version: tag.tag, revision };
  }
  const { major, minor, patch, prerelease, build } = semver;
  // `+` (build metadata) is not allowed in a Docker tag; metadata-action writes it as `-`.
  const version = `${major}.${minor}.${patch}${prerelease ? `-${prerelease}` : ''}${build ? `-${build}` : ''}`;
  const tags: ComputedTag[] = [{ tag: validateTag(version, source), why: `semver ${source}` }];
  if (!prerelease && !markedPrerelease) {
    tags.push({ tag: `${major}.${minor}`, why: `latest ${major}.${minor}.x` });
    // A floating `0` would span releases that semver allows to break each other.
    if (major !== '0') tags.push({ tag: major, why: `latest ${major}.x` });
    tags.push({ tag: 'latest', why: 'newest stable release' });
  }
  tags.push(shaTag(revision, 'commit'));
  return { tags, version, revision };
}

function shaTag(sha: string, what: string): ComputedTag {
  return { tag: `sha-${sha.slice(0, 7)}`, why: `${what} ${sha.slice(0, 12)}` };
}

function branchTag(branch: string): ComputedTag {
  const tag = sanitizeTag(branch);
  validateTag(tag, `branch ${branch}`);
  return { tag, why: tag === branch ? `branch ${branch}` : `branch ${branch} (sanitized)` };
}

function requireSha(event: BuildEvent): string {
  const sha = event.sha || event.payload.after || '';
  if (!/^[0-9a-f]{7,64}$/i.test(sha) || ZERO_SHA.test(sha)) {
    throw new UserError(`GITHUB_SHA is ${sha ? JSON.stringify(sha) : 'empty'}: cannot name the commit this image is built from`);
  }
  return sha.toLowerCase();
}

function branchFromRef(ref: string): string | undefined {
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
}

function tagFromRef(ref: string): string | undefined {
  return ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined;
}

function prNumberFromRef(ref: string): number | undefined {
  const m = /^refs\/pull\/(\d+)\//.exec(ref);
  return m ? Number(m[1]) : undefined;
}

/** The `tags` input replaces the computed tags; each one is still checked. */
export function tagsFromInput(items: string[], image: string): ComputedTag[] {
  const seen = new Set<string>();
  const tags: ComputedTag[] = [];
  for (const item of items) {
    // metadata-action's output holds full references (image:tag): accepted when they name this image.
    const tag = item.startsWith(`${image}:`) ? item.slice(image.length + 1) : item;
    if (tag.includes(':') || tag.includes('/')) {
      throw new UserError(`input "tags": ${JSON.stringify(item)} is not a tag of ${image}; give tags only (e.g. "v1", "latest"), the image goes in the "image" input`);
    }
    validateTag(tag, 'input "tags"');
    if (seen.has(tag)) continue;
    seen.add(tag);
    tags.push({ tag, why: 'tags input' });
  }
  if (tags.length === 0) throw new UserError('input "tags" holds no tag');
  return tags;
}
