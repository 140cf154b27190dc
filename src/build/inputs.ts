// The action's inputs turned into one typed BuildRequest (as build-push-action's context.ts does).
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { UserError } from '../errors.js';
import { booleanInput, listInput, optionalInput, requiredInput, secretInput } from '../github/inputs.js';
import { parseBuildArgs, parsePlatforms } from './commands.js';
import type { BuildEvent } from './github-context.js';
import { parseImageName } from './image-name.js';
import { ociLabels } from './labels.js';
import type { BuildRequest } from './run.js';
import { computeTags, tagsFromInput } from './tags.js';

/** One spec per line (a comma belongs to the spec: `type=registry,ref=...`). */
function linesInput(name: string): string[] {
  return (optionalInput(name) ?? '')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function readBuildRequest(event: BuildEvent, now: Date, workspace: string): BuildRequest {
  const password = secretInput('password');
  const image = parseImageName(requiredInput('image', 'the image name without a tag, e.g. registry.example.com/acme/parking-web'));
  const username = optionalInput('username');
  if ((username === undefined) !== (password === undefined)) {
    throw new UserError(username ? 'input "username" is set but "password" is empty: give both to log in, or neither' : 'input "password" is set but "username" is empty: give both to log in, or neither');
  }
  const computed = computeTags(event);
  const tagItems = listInput('tags');
  const tags = tagItems.length ? tagsFromInput(tagItems, image.name) : computed.tags;
  const context = optionalInput('context') ?? '.';
  const isRemote = /^(https?|git):\/\/|^git@/.test(context);
  if (!isRemote && !existsSync(isAbsolute(context) ? context : join(workspace, context))) {
    throw new UserError(`input "context": ${context} does not exist in the workspace (did the job check out the repository?)`);
  }
  const file = optionalInput('file');
  return {
    image,
    tags,
    context,
    ...(file ? { file } : {}),
    push: booleanInput('push', true),
    buildArgs: parseBuildArgs(optionalInput('build-args')),
    platforms: parsePlatforms(listInput('platforms')),
    labels: ociLabels(event, tagItems.length ? tags[0]!.tag : computed.version, computed.revision, now),
    cacheFrom: linesInput('cache-from'),
    cacheTo: linesInput('cache-to'),
    ...(username && password ? { login: { registry: optionalInput('registry') ?? image.registry, username, password } } : {}),
  };
}
