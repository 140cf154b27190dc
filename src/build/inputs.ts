// The action's inputs turned into one typed BuildRequest (as build-push-action's context.ts does).
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { UserError, quoted } from '../errors.js';
import { booleanInput, listInput, optionalInput, requiredInput, secretInput } from '../github/inputs.js';
import { parseBuildArgs, parsePlatforms } from './commands.js';
import type { BuildEvent } from './github-context.js';
import { parseImageName } from './image-name.js';
import { ociLabels } from './labels.js';
import type { BuildRequest } from './run.js';
import { computeTags, tagsFromInput } from './tags.js';

/** A path input: no control characters (they would end up in the log and in docker's arguments). */
function pathInput(name: string): string | undefined {
  const value = optionalInput(name);
  if (value !== undefined && /[\u0000-\u001f\u007f\u2028\u2029]/.test(value)) {
    throw new UserError(`input "${name}": ${quoted(value)} holds a control character or line break; give a path on one line`);
  }
  return value;
}

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
  const context = pathInput('context') ?? '.';
  const isRemote = /^(https?|git):\/\/|^git@/.test(context);
  if (!isRemote && !existsSync(isAbsolute(context) ? context : join(workspace, context))) {
    throw new UserError(`input "context": ${quoted(context)} does not exist in the workspace (did the job check out the repository?)`);
  }
  const file = pathInput('file');
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
