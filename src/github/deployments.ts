import * as core from '@actions/core';
import * as github from '@actions/github';
import { errorMessage } from '../errors.js';

/**
 * GitHub deployment records for a run. Best effort: with no token, or when the API cannot be
 * reached, it warns once and the deploy goes on without them.
 */
export class DeploymentRecord {
  private id?: number;
  private disabled = false;
  private constructor(
    private readonly octokit: ReturnType<typeof github.getOctokit> | undefined,
    private readonly environment: string,
    private readonly environmentUrl: string | undefined,
  ) {}

  static async start(token: string | undefined, environment: string, environmentUrl: string | undefined, description: string, payload: object): Promise<DeploymentRecord> {
    if (!token) {
      core.warning('github-token is empty: no GitHub deployment is recorded for this run');
      return new DeploymentRecord(undefined, environment, environmentUrl);
    }
    const baseUrl = process.env.GITHUB_API_URL || 'https://api.github.com';
    const record = new DeploymentRecord(github.getOctokit(token, { baseUrl, request: { retries: 0, timeout: 10_000 } }), environment, environmentUrl);
    await record.call('create the deployment', async (o) => {
      const { owner, repo } = github.context.repo;
      const res = await o.rest.repos.createDeployment({
        owner,
        repo,
        ref: process.env.GITHUB_SHA || github.context.sha,
        environment,
        description: description.slice(0, 140),
        auto_merge: false,
        required_contexts: [],
        transient_environment: false,
        production_environment: /^prod/i.test(environment),
        payload: payload as Record<string, unknown>,
      });
      if (res.status === 201 && 'id' in res.data) record.id = res.data.id;
      else throw new Error(`unexpected answer ${res.status}`);
    });
    await record.status('in_progress', description);
    return record;
  }

  async status(state: 'in_progress' | 'success' | 'failure' | 'error', description: string): Promise<void> {
    if (this.id === undefined) return;
    const id = this.id;
    const { serverUrl, runId } = github.context;
    const { owner, repo } = github.context.repo;
    await this.call(`set the deployment status to ${state}`, (o) =>
      o.rest.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: id,
        state,
        description: description.slice(0, 140),
        log_url: `${serverUrl}/${owner}/${repo}/actions/runs/${runId}`,
        ...(this.environmentUrl ? { environment_url: this.environmentUrl } : {}),
        environment: this.environment,
        auto_inactive: state === 'success',
      }),
    );
  }

  private async call(what: string, fn: (o: ReturnType<typeof github.getOctokit>) => Promise<unknown>): Promise<void> {
    if (!this.octokit || this.disabled) return;
    try {
      await fn(this.octokit);
    } catch (err) {
      this.disabled = true;
      core.warning(`GitHub deployment records skipped: could not ${what} (${errorMessage(err).split('\n')[0]}); the deploy itself goes on`);
    }
  }
}
