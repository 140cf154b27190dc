// Pure builders: each returns the argv of one docker command and does no I/O (tests assert them).
import { UserError } from '../errors.js';
import type { ImageName } from './image-name.js';

export interface BuildxBuild {
  image: ImageName;
  tags: string[];
  /** Extra references the image is pushed as without being reported as tags (the docker driver's cache). */
  cacheRefs: string[];
  context: string;
  file?: string;
  push: boolean;
  buildArgs: BuildArg[];
  platforms: string[];
  labels: Record<string, string>;
  cacheFrom: string[];
  cacheTo: string[];
  metadataFile: string;
}

export interface BuildArg {
  key: string;
  value: string;
}

/** `docker buildx build ...`: every value is one argv element, so nothing passes through a shell. */
export function buildxBuildCommand(b: BuildxBuild): string[] {
  const argv = ['buildx', 'build', '--progress', 'plain', '--metadata-file', b.metadataFile];
  if (b.file) argv.push('--file', b.file);
  for (const tag of b.tags) argv.push('--tag', `${b.image.name}:${tag}`);
  for (const ref of b.cacheRefs) argv.push('--tag', ref);
  for (const [key, value] of Object.entries(b.labels)) argv.push('--label', `${key}=${value}`);
  for (const { key, value } of b.buildArgs) argv.push('--build-arg', `${key}=${value}`);
  if (b.platforms.length) argv.push('--platform', b.platforms.join(','));
  for (const spec of b.cacheFrom) argv.push('--cache-from', spec);
  for (const spec of b.cacheTo) argv.push('--cache-to', spec);
  argv.push(b.push ? '--push' : '--load');
  argv.push(b.context);
  return argv;
}

/** The password goes on stdin, never on the command line. */
export function loginCommand(registry: string, username: string): string[] {
  return ['login', registry, '--username', username, '--password-stdin'];
}

export function logoutCommand(registry: string): string[] {
  return ['logout', registry];
}

export function builderInspectCommand(): string[] {
  return ['buildx', 'inspect'];
}

export function imagetoolsRawCommand(ref: string): string[] {
  return ['buildx', 'imagetools', 'inspect', '--raw', ref];
}

export function imageSizeCommand(ref: string): string[] {
  return ['image', 'inspect', '--format', '{{.Size}}', ref];
}

const BUILD_ARG_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `build-args`: one KEY=VALUE per line; the value is everything after the first `=`, kept verbatim. */
export function parseBuildArgs(text: string | undefined): BuildArg[] {
  const args: BuildArg[] = [];
  const lines = (text ?? '').split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const at = line.indexOf('=');
    const key = (at < 0 ? line : line.slice(0, at)).trim();
    if (at < 0 || !BUILD_ARG_KEY.test(key)) {
      throw new UserError(`input "build-args", line ${index + 1}: expected KEY=VALUE with KEY like MY_ARG, got ${JSON.stringify(at < 0 ? line.trim() : key)}`);
    }
    args.push({ key, value: line.slice(at + 1) });
  });
  return args;
}

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;

export function parsePlatforms(items: string[]): string[] {
  for (const p of items) {
    if (!PLATFORM.test(p)) throw new UserError(`input "platforms": ${JSON.stringify(p)} is not a platform like linux/amd64 or linux/arm/v7`);
  }
  return items;
}

/** A buildx cache spec (`type=registry,ref=...,mode=max`) as key/value pairs; a bare value is a registry ref. */
export function parseCacheSpec(spec: string): Record<string, string> {
  if (!spec.includes('=')) return { type: 'registry', ref: spec };
  const fields: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const at = part.indexOf('=');
    if (at < 0) throw new UserError(`cache spec ${JSON.stringify(spec)}: expected key=value pairs separated by commas`);
    fields[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  fields.type ??= 'registry';
  return fields;
}

export interface CachePlan {
  cacheTo: string[];
  /** References pushed with the image so a later `--cache-from type=registry,ref=...` finds its inline cache. */
  cacheRefs: string[];
  notes: string[];
}

/**
 * The `docker` buildx driver (the engine's built-in BuildKit, which a runner without
 * docker/setup-buildx-action uses) cannot export a cache. A registry cache is then kept as inline
 * cache in an image pushed under the cache ref, which `--cache-from type=registry,ref=...` reads.
 */
export function planCache(cacheTo: string[], driver: string, push: boolean): CachePlan {
  if (driver !== 'docker' || cacheTo.length === 0) return { cacheTo, cacheRefs: [], notes: [] };
  const cacheRefs: string[] = [];
  const notes: string[] = [];
  let inline = false;
  for (const spec of cacheTo) {
    const fields = parseCacheSpec(spec);
    if (fields.type === 'inline') {
      inline = true;
    } else if (fields.type === 'registry' && fields.ref && push) {
      inline = true;
      cacheRefs.push(fields.ref);
      notes.push(
        `the docker driver cannot export a registry cache: pushing the image with inline cache as ${fields.ref} instead` +
          (fields.mode === 'max' ? ' (mode=max becomes mode=min: only the final stage is cached)' : ''),
      );
    } else {
      notes.push(`the docker driver cannot export a cache of type ${fields.type ?? '?'}: ignoring --cache-to ${spec} (use docker/setup-buildx-action for a docker-container builder)`);
    }
  }
  return { cacheTo: inline ? ['type=inline'] : [], cacheRefs, notes };
}

/** The driver of the current builder, from `docker buildx inspect`. */
export function parseBuilderDriver(inspectOutput: string): string {
  return /^Driver:\s*(\S+)/m.exec(inspectOutput)?.[1] ?? 'unknown';
}
