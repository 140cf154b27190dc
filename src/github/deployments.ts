import * as core from '@actions/core';
import * as github from '@actions/github';
import { errorMessage } from '../errors.js';

type Octokit = ReturnType<typeof github.getOctokit>;

/** How many of the newest deployments of this commit and environment are looked at for the job's own. */
const CANDIDATES = 5;

/**
 * GitHub deployment records for a run: one per deploy. A job with `environment:` already has a
 * deployment that GitHub created for it; its statuses go to that one. Only without one (no
 * `environment:` on the job, or another environment name) is a deployment created. Best effort: with
 * no token, or when the API cannot be reached, it warns once and the deploy goes on without them.
 */
export class DeploymentRecord {
  private id?: number;
  private disabled = false;
  private constructor(
    private readonly octokit: Octokit | undefined,
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
    const { owner, repo } = github.context.repo;
    const sha = process.env.GITHUB_SHA || github.context.sha;
    await record.call('look up the deployment of this job', async (o) => {
      record.id = await jobDeployment(o, { owner, repo, sha, environment, runId: github.context.runId });
      if (record.id !== undefined) core.info(`GitHub deployment ${record.id}: the one GitHub created for this job's environment ${environment}`);
    });
    if (record.id === undefined) {
      await record.call('create the deployment', async (o) => {
        const res = await o.rest.repos.createDeployment({
          owner,
          repo,
          ref: sha,
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
    }
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

  private async call(what: string, fn: (o: Octokit) => Promise<unknown>): Promise<void> {
    if (!this.octokit || this.disabled) return;
    try {
      await fn(this.octokit);
    } catch (err) {
      this.disabled = true;
      core.warning(`GitHub deployment records skipped: could not ${what} (${errorMessage(err).split('\n')[0]}); the deploy itself goes on`);
    }
  }
}

/**
 * The deployment GitHub created for this job: among the newest deployments of this commit and
 * environment, the one whose statuses link to this workflow run (GitHub's own statuses point their
 * log_url/target_url at `.../actions/runs/<run id>/job/<job id>`).
 */
async function jobDeployment(o: Octokit, at: { owner: string; repo: string; sha: string; environment: string; runId: number }): Promise<number | undefined> {
  const { data: deployments } = await o.rest.repos.listDeployments({ owner: at.owner, repo: at.repo, sha: at.sha, environment: at.environment, per_page: CANDIDATES });
  if (!Array.isArray(deployments)) throw new Error('the deployments list is not a list');
  const ofThisRun = new RegExp(`/actions/runs/${at.runId}(?:[/?#]|$)`);
  for (const deployment of deployments.slice(0, CANDIDATES)) {
    if (deployment.sha !== at.sha || deployment.environment !== at.environment) continue;
    const { data: statuses } = await o.rest.repos.listDeploymentStatuses({ owner: at.owner, repo: at.repo, deployment_id: deployment.id, per_page: 10 });
    if (Array.isArray(statuses) && statuses.some((s) => ofThisRun.test(s.log_url ?? '') || ofThisRun.test(s.target_url ?? ''))) return deployment.id;
  }
  return undefined;
}
