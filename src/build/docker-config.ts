// A private DOCKER_CONFIG for the login, so the credentials never land in the user's ~/.docker and
// are gone when the step ends.
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivateDockerConfig {
  dir: string;
  /** The environment docker runs with. */
  env: NodeJS.ProcessEnv;
}

/**
 * Creates the directory under RUNNER_TEMP. The CLI plugins and contexts of the user's config stay
 * reachable (buildx installed by docker/setup-buildx-action lives there), and so do the builders
 * (BUILDX_CONFIG). Logins the user made before are carried over only when stored in the file itself;
 * credential helpers are left out so our login cannot end up in one.
 */
export function createPrivateDockerConfig(env: NodeJS.ProcessEnv): PrivateDockerConfig {
  const userDir = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  const dir = mkdtempSync(join(env.RUNNER_TEMP || tmpdir(), 'parking-ci-docker-config-'));
  const config: Record<string, unknown> = {};
  try {
    const user = JSON.parse(readFileSync(join(userDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    for (const [key, value] of Object.entries(user)) if (key !== 'credsStore' && key !== 'credHelpers') config[key] = value;
  } catch {
    // no config of the user's: start empty
  }
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2), { mode: 0o600 });
  for (const sub of ['cli-plugins', 'contexts']) {
    if (existsSync(join(userDir, sub))) symlinkSync(join(userDir, sub), join(dir, sub));
  }
  const buildxConfig = env.BUILDX_CONFIG || (existsSync(join(userDir, 'buildx')) ? join(userDir, 'buildx') : undefined);
  return { dir, env: { ...env, DOCKER_CONFIG: dir, ...(buildxConfig ? { BUILDX_CONFIG: buildxConfig } : {}) } };
}

export function removePrivateDockerConfig(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
