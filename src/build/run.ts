// The build as one story: log in -> pick the cache plan for the builder -> buildx build -> read the
// digest -> measure the image -> clean up. Decisions are made by the pure modules beside this one.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { UserError } from '../errors.js';
import {
  type BuildxBuild,
  builderInspectCommand,
  buildxBuildCommand,
  imageSizeCommand,
  imagetoolsRawCommand,
  loginCommand,
  parseBuilderDriver,
  planCache,
} from './commands.js';
import { createPrivateDockerConfig, removePrivateDockerConfig } from './docker-config.js';
import { type DockerExecutor, logCommand, runDocker } from './docker.js';
import type { ImageName } from './image-name.js';
import { type CacheUse, lastErrorLine, parseCacheUse, parseManifest, parseMetadata } from './results.js';
import type { ComputedTag } from './tags.js';

export interface Credentials {
  registry: string;
  username: string;
  password: string;
}

/** What the action asks for: the buildx build, with the tags still carrying why each was computed. */
export interface BuildRequest extends Omit<BuildxBuild, 'tags' | 'cacheRefs' | 'metadataFile'> {
  tags: ComputedTag[];
  login?: Credentials;
}

export interface ImageSize {
  bytes: number;
  layers: number;
  /** compressed (pushed layers) or uncompressed (loaded into the engine) */
  measure: 'compressed' | 'uncompressed';
  platforms: { platform: string; bytes: number; layers: number }[];
}

export interface BuildResult {
  digest: string;
  /** name@digest when pushed; name:<first tag> when loaded. */
  imageRef: string;
  tags: string[];
  pushed: boolean;
  driver: string;
  cache: CacheUse;
  size?: ImageSize;
  notes: string[];
}

export interface BuildHooks {
  docker?: DockerExecutor;
  /** Told where the private DOCKER_CONFIG is, so a `post` step can remove it after a cancel. */
  onDockerConfig?: (dir: string) => void;
  env?: NodeJS.ProcessEnv;
}

export async function buildImage(request: BuildRequest, hooks: BuildHooks = {}): Promise<BuildResult> {
  const docker = hooks.docker ?? runDocker;
  const baseEnv = hooks.env ?? process.env;
  const secrets = request.login ? secretForms(request.login) : [];
  const privateConfig = request.login ? createPrivateDockerConfig(baseEnv) : undefined;
  if (privateConfig) hooks.onDockerConfig?.(privateConfig.dir);
  const env = privateConfig?.env ?? baseEnv;
  const work = mkdtempSync(join(baseEnv.RUNNER_TEMP || tmpdir(), 'parking-ci-build-'));
  try {
    if (request.login) await login(docker, env, request.login, secrets);

    const inspect = await docker(builderInspectCommand(), { env, secrets });
    if (inspect.code !== 0) throw new UserError(`docker buildx is not usable: ${lastErrorLine(inspect.stderr + inspect.stdout)}`);
    const driver = parseBuilderDriver(inspect.stdout);
    if (driver === 'docker' && request.platforms.length > 1) {
      throw new UserError(
        `the current buildx builder uses the docker driver, which builds one platform at a time; for ${request.platforms.join(', ')} set up a docker-container builder (docker/setup-buildx-action) first`,
      );
    }
    const cache = planCache(request.cacheTo, driver, request.push);
    for (const note of cache.notes) core.warning(note);

    const metadataFile = join(work, 'metadata.json');
    const args = buildxBuildCommand({
      image: request.image,
      tags: request.tags.map((t) => t.tag),
      cacheRefs: cache.cacheRefs,
      context: request.context,
      ...(request.file ? { file: request.file } : {}),
      push: request.push,
      buildArgs: request.buildArgs,
      platforms: request.platforms,
      labels: request.labels,
      cacheFrom: request.cacheFrom,
      cacheTo: cache.cacheTo,
      metadataFile,
    });
    const built = await core.group(`docker buildx build (${driver} driver)`, async () => {
      logCommand(args);
      return docker(args, { env, stream: true, secrets });
    });
    if (built.code !== 0) {
      throw new UserError(`docker buildx build failed: ${lastErrorLine(built.stderr + built.stdout)} (the build log is in the group above)`);
    }
    const { digest } = parseMetadata(readFileSync(metadataFile, 'utf8'));
    const tags = request.tags.map((t) => t.tag);
    const imageRef = request.push ? `${request.image.name}@${digest}` : `${request.image.name}:${tags[0]}`;
    const size = await measure(docker, env, secrets, imageRef, request.push, tags[0]);
    return {
      digest,
      imageRef,
      tags,
      pushed: request.push,
      driver,
      cache: parseCacheUse(built.stderr + built.stdout),
      ...(size ? { size } : {}),
      notes: cache.notes,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (privateConfig) removePrivateDockerConfig(privateConfig.dir);
  }
}

/** Every form the password could be printed in: as given, and inside the base64 `auth` of config.json. */
function secretForms(login: Credentials): string[] {
  const forms = [login.password, Buffer.from(`${login.username}:${login.password}`).toString('base64')];
  for (const f of forms.slice(1)) core.setSecret(f);
  return forms;
}

async function login(docker: DockerExecutor, env: NodeJS.ProcessEnv, creds: Credentials, secrets: string[]): Promise<void> {
  const args = loginCommand(creds.registry, creds.username);
  logCommand(args);
  const result = await docker(args, { env, input: creds.password, secrets });
  if (result.code !== 0) {
    const reason = lastErrorLine(result.stderr + result.stdout);
    const hint = /401|unauthorized|denied|incorrect/i.test(reason) ? ': the registry refused the username and password (check the username and password inputs)' : '';
    throw new UserError(`docker login to ${creds.registry} as ${creds.username} failed${hint}: ${reason}`);
  }
  core.info(`Logged in to ${creds.registry} as ${creds.username} (credentials kept in a temporary DOCKER_CONFIG, removed at the end of this step)`);
}

/** The size is reported, never required: a registry that hides manifests only loses the summary line. */
async function measure(
  docker: DockerExecutor,
  env: NodeJS.ProcessEnv,
  secrets: string[],
  ref: string,
  pushed: boolean,
  firstTag = '',
): Promise<ImageSize | undefined> {
  try {
    if (!pushed) {
      const r = await docker(imageSizeCommand(ref), { env, secrets });
      const bytes = Number(r.stdout.trim());
      if (r.code !== 0 || !Number.isFinite(bytes)) return undefined;
      return { bytes, layers: 0, measure: 'uncompressed', platforms: [] };
    }
    const raw = async (r: string) => {
      const out = await docker(imagetoolsRawCommand(r), { env, secrets });
      if (out.code !== 0) throw new Error(lastErrorLine(out.stderr));
      return parseManifest(out.stdout);
    };
    let top;
    try {
      top = await raw(ref);
    } catch (err) {
      // imagetools cannot reach a plain-HTTP registry the engine trusts; the engine still has the image.
      const local = await measure(docker, env, secrets, `${ref.slice(0, ref.lastIndexOf('@'))}:${firstTag}`, false);
      if (local) return local;
      throw err;
    }
    if (top.kind === 'image') return { bytes: top.bytes, layers: top.layers, measure: 'compressed', platforms: [] };
    const repo = ref.slice(0, ref.lastIndexOf('@'));
    const platforms: ImageSize['platforms'] = [];
    for (const image of top.images) {
      const m = await raw(`${repo}@${image.digest}`);
      if (m.kind === 'image') platforms.push({ platform: image.platform, bytes: m.bytes, layers: m.layers });
    }
    return {
      bytes: platforms.reduce((s, p) => s + p.bytes, 0),
      layers: platforms.reduce((s, p) => s + p.layers, 0),
      measure: 'compressed',
      platforms,
    };
  } catch (err) {
    core.warning(`could not measure the image size: ${(err as Error).message}`);
    return undefined;
  }
}
