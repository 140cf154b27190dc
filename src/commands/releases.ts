import type { Environment } from '../config/types.js';
import { statePaths } from './paths.js';
import { raw, type Script } from './shell.js';
import type { Step } from './step.js';

/** One line of `releases.jsonl` (spec §3). */
export interface Release {
  version: string;
  image: string;
  digest: string;
  status: 'deployed' | 'rolled-back' | 'failed';
  at: string;
  'git-sha': string;
  actor: string;
  'run-url': string;
  color?: 'blue' | 'green';
  /** sha256 of the release's environment file (never a value); absent when the config has no env. */
  'env-sha256'?: string;
  /**
   * What the run did: deploy, rollback, adopt (the release found running before the first deploy),
   * or reconcile (the post step recorded what serves after a run was killed).
   */
  action?: 'deploy' | 'rollback' | 'adopt' | 'reconcile';
}

export function parseReleases(text: string): Release[] {
  const releases: Release[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as Release;
      if (r && typeof r.version === 'string' && typeof r.status === 'string') releases.push(r);
    } catch {
      // a torn last line (disk full, killed mid-write) must not hide the history before it
    }
  }
  return releases;
}

/** The current release: the newest line with status `deployed`. */
export function currentRelease(history: Release[]): Release | undefined {
  return history.findLast((r) => r.status === 'deployed');
}

/** Versions marked rolled-back or failed after their last deployment are not rollback targets. */
function badVersions(history: Release[]): Set<string> {
  const bad = new Set<string>();
  for (const r of history) {
    if (r.status === 'deployed') bad.delete(r.version);
    else bad.add(r.version);
  }
  return bad;
}

/** The release before the current one, skipping releases marked rolled-back or failed. */
export function previousRelease(history: Release[]): Release | undefined {
  const current = currentRelease(history);
  if (!current) return undefined;
  const bad = badVersions(history);
  return history.findLast((r) => r.status === 'deployed' && r.version !== current.version && !bad.has(r.version));
}

/** The newest deployed line of a version. */
export function findRelease(history: Release[], version: string): Release | undefined {
  return history.findLast((r) => r.status === 'deployed' && r.version === version);
}

/** Images of the last `keep` distinct deployed releases stay; the others may go. */
export function releasesToPrune(history: Release[], keep: number, inUse: string[]): string[] {
  const kept: string[] = [];
  const all: string[] = [];
  for (const r of [...history].reverse()) {
    if (r.status !== 'deployed') continue;
    if (!all.includes(r.image)) all.push(r.image);
    if (!kept.includes(r.image) && kept.length < keep) kept.push(r.image);
  }
  return all.filter((image) => !kept.includes(image) && !inUse.includes(image));
}

export function appendReleasesScript(env: Environment, releases: Release[]): Script {
  const file = statePaths(env).releases;
  return [
    ['mkdir', '-p', '--', statePaths(env).dir],
    ...releases.map((r) => ['printf', '%s\\n', JSON.stringify(r), raw('>>'), file]),
  ];
}

export function removeImagesScript(images: string[]): Script {
  if (!images.length) return [];
  return [['docker', 'image', 'rm', '--', ...images, raw('>/dev/null 2>&1 || true')]];
}

export function recordStep(env: Environment, releases: Release[]): Step<void> {
  return { label: 'record the release', script: appendReleasesScript(env, releases), parse: () => undefined, sample: '' };
}

const IN_USE = '### in-use';
const ENV_FILES = '### env-files';

/** The host's history, the images its containers run (what pruning must keep) and its env files. */
export function historyAndImagesStep(env: Environment): Step<{ history: Release[]; inUse: string[]; envFiles: string[] }> {
  return {
    label: 'read history',
    script: [[raw('tail -n 500 --'), statePaths(env).releases], ['echo', IN_USE], ['docker', 'ps', '--format', '{{.Image}}'], ['echo', ENV_FILES], [raw('ls -1 --'), statePaths(env).envFiles, raw('2>/dev/null || true')]],
    parse: (stdout) => {
      const [historyText = '', rest = ''] = stdout.split(`${IN_USE}\n`);
      const [inUse = '', envFiles = ''] = rest.split(`${ENV_FILES}\n`);
      return { history: parseReleases(historyText), inUse: inUse.split('\n').filter(Boolean), envFiles: envFiles.split('\n').filter(Boolean) };
    },
    sample: `${IN_USE}\n${ENV_FILES}\n`,
  };
}

/** The image reference of a version: `repo:tag`, or `repo@sha256:..` for a digest. */
export function imageRef(image: string, version: string): string {
  return version.startsWith('sha256:') ? `${image}@${version}` : `${image}:${version}`;
}

/** The version part of an image reference (`repo:tag` -> tag, `repo@sha256:..` -> digest). */
export function versionOf(ref: string): string {
  const at = ref.indexOf('@');
  if (at >= 0) return ref.slice(at + 1);
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : 'latest';
}
