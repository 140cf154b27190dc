import * as core from '@actions/core';
import { existsSync } from 'node:fs';
import { runAction } from '../github/action.js';
import { removePrivateDockerConfig } from '../build/docker-config.js';
import { eventFromEnv } from '../build/github-context.js';
import { readBuildRequest } from '../build/inputs.js';
import { buildImage } from '../build/run.js';
import { writeBuildSummary } from '../build/summary.js';

async function main(): Promise<void> {
  const request = readBuildRequest(eventFromEnv(), new Date(), process.env.GITHUB_WORKSPACE ?? process.cwd());
  core.info(`Tags for ${request.image.name}: ${request.tags.map((t) => t.tag).join(', ')}`);
  const result = await buildImage(request, { onDockerConfig: (dir) => core.saveState('dockerConfig', dir) });
  core.setOutput('digest', result.digest);
  core.setOutput('image', result.imageRef);
  core.setOutput('tags', result.tags.join('\n'));
  core.info(`${result.pushed ? 'Pushed' : 'Loaded'} ${result.imageRef}`);
  await writeBuildSummary(request, result);
}

/** After a cancelled run the main step may not have removed the login's DOCKER_CONFIG. */
async function post(): Promise<void> {
  const dir = core.getState('dockerConfig');
  if (dir && existsSync(dir)) removePrivateDockerConfig(dir);
}

await runAction(main, post);
