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
    upstream: `${env.appDir}/${env.upstreamFile}`,
    composeFile: `${env.appDir}/${env.composeFile}`,
  };
}

/** The compose override that pins the app services to one image; one file per release. */
export function overridePath(env: Environment, release: string): string {
  return `${statePaths(env).overrides}/${release.replace(/[^A-Za-z0-9_.-]/g, '_')}.yml`;
}
