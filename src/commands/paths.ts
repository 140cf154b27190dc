import type { Environment } from '../config/types.js';

/** Files we keep on each host, inside `<app-dir>/.parking-ci/` (spec §3). */
export function statePaths(env: Environment) {
  const dir = `${env.appDir}/.parking-ci`;
  return {
    dir,
    lock: `${dir}/lock`,
    lockInfo: `${dir}/lock/info.json`,
    lockOwner: `${dir}/lock/owner`,
    releases: `${dir}/releases.jsonl`,
    overrides: `${dir}/compose`,
    envFiles: `${dir}/env`,
    upstream: `${env.appDir}/${env.upstreamFile}`,
    composeFile: `${env.appDir}/${env.composeFile}`,
  };
}

/** The compose override that pins the app services to one image; one file per release. */
export function overridePath(env: Environment, release: string): string {
  return `${statePaths(env).overrides}/${release.replace(/[^A-Za-z0-9_.-]/g, '_')}.yml`;
}

/** The environment file of one release (0600): named by its version and the hash of its content. */
export function envFilePath(env: Environment, release: string, sha256: string): string {
  return `${statePaths(env).envFiles}/${envFileName(release, sha256)}`;
}

export function envFileName(release: string, sha256: string): string {
  return `${release.replace(/[^A-Za-z0-9_.-]/g, '_')}-${sha256.slice(0, 16)}.env`;
}
