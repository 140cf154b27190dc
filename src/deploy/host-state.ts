import type { Environment, Host } from '../config/types.js';
import type { ContainerInfo } from '../commands/compose.js';
import type { HostFacts } from '../commands/host.js';
import { currentRelease, parseReleases, versionOf, type Release } from '../commands/releases.js';
import { UserError } from '../errors.js';
import type { RunKind } from './types.js';

/** A release as it goes on a host: the version (tag or digest) and its image reference. */
export interface ReleaseRef {
  version: string;
  image: string;
  digest?: string;
  /** The hash naming the release's environment file on the host (none: the release has no env). */
  envSha256?: string;
}

/** One host as the inspection found it, checked: everything the plan and the strategies read. */
export interface HostState {
  host: Host;
  facts: HostFacts;
  history: Release[];
  proxy: ContainerInfo;
  /** What serves now: from the history, or from the running web container on a first deploy. */
  current: ReleaseRef;
  /** The history names no current release (the first deploy adopts what runs). */
  firstDeploy: boolean;
}

const MIN_DISK_FREE_KB = 512 * 1024;

/** Everything that would make the run fail later, found before anything changes. */
export function checkHost(env: Environment, kind: RunKind, host: Host, facts: HostFacts): HostState {
  const fail = (msg: string): never => {
    throw new UserError(`${host.id}: ${msg}; nothing was changed`);
  };
  if (facts.error) fail(facts.error);
  if (!facts.complete) fail('the host inspection did not finish');
  if (facts.diskFreeKb !== undefined && facts.diskFreeKb < MIN_DISK_FREE_KB) fail(`only ${Math.round(facts.diskFreeKb / 1024)} MiB free in ${env.appDir}; at least 512 MiB are needed to pull a release`);
  const config = facts.composeConfig ?? fail(`\`docker compose config\` failed: ${facts.composeConfigError ?? 'no output'}`);
  const services = config.services ?? {};
  for (const name of [...env.services, ...env.singletonServices, env.proxyService]) {
    if (!services[name]) fail(`the compose file has no service "${name}" (services there: ${Object.keys(services).join(', ')})`);
  }
  for (const name of env.services) {
    const s = services[name]!;
    if (s.container_name) fail(`service "${name}" sets container_name "${s.container_name}"; remove it so a new container can start beside the old one`);
    if (s.ports?.length) fail(`service "${name}" publishes host ports; remove \`ports:\` (nginx reaches it on the compose network) so a new container can start beside the old one`);
  }
  const ours = [...Object.keys(env.env.clear), ...env.env.secret];
  for (const name of [...env.services, ...env.singletonServices]) {
    const own = ours.filter((v) => Object.hasOwn(services[name]!.environment ?? {}, v));
    if (own.length)
      fail(`service "${name}" already sets ${own.join(', ')} in the compose file (environment: or its env_file), which would hide the value parking-ci gives it; remove ${own.length > 1 ? 'them' : 'it'} there`);
  }
  const proxy = facts.containers.find((c) => c.service === env.proxyService && c.state === 'running') ?? fail(`the proxy service "${env.proxyService}" is not running; start the stack once (\`docker compose up -d\`) before the first deploy`);
  const history = parseReleases(facts.releasesText);
  const release = currentRelease(history);
  if (kind === 'rollback' && !release) fail('has no release history yet (nothing deployed by parking-ci to roll back to)');
  const web = facts.containers.find((c) => c.service === env.webService && c.state === 'running');
  const current = release ? { version: release.version, image: release.image, ...(release['env-sha256'] ? { envSha256: release['env-sha256'] } : {}) } : web ? { version: versionOf(web.image), image: web.image } : { version: 'none', image: '' };
  return { host, facts, history, proxy, current, firstDeploy: !release };
}
