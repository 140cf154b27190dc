// One GitHub deployment record per deploy, against a local stand-in of GitHub's REST API: a job with
// `environment:` already has the deployment GitHub created for it, and the statuses go to that one; a
// deployment is created only when there is none of this run.
import { jest } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const SHA = '0123456789abcdef0123456789abcdef01234567';
Object.assign(process.env, {
  GITHUB_REPOSITORY: 'acme/parking',
  GITHUB_SHA: SHA,
  GITHUB_RUN_ID: '4242',
  GITHUB_SERVER_URL: 'https://github.com',
});
const { DeploymentRecord } = await import('../../src/github/deployments.js');

interface Call {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
}

/** What the stand-in holds: deployments (newest first) and their statuses. */
interface Api {
  deployments: { id: number; sha: string; environment: string }[];
  statuses: Record<number, { state: string; log_url?: string; target_url?: string }[]>;
  failLookup?: boolean;
}

let server: Server;
let api: Api;
let calls: Call[];

beforeAll(async () => {
  server = createServer(async (req: IncomingMessage, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const url = new URL(req.url!, 'http://x');
    calls.push({ method: req.method!, path: url.pathname, query: Object.fromEntries(url.searchParams), body: text ? JSON.parse(text) : {} });
    res.setHeader('content-type', 'application/json');
    const statuses = /^\/repos\/acme\/parking\/deployments\/(\d+)\/statuses$/.exec(url.pathname);
    if (req.method === 'GET' && url.pathname === '/repos/acme/parking/deployments') {
      if (api.failLookup) return void ((res.statusCode = 500), res.end('{"message":"boom"}'));
      const found = api.deployments.filter((d) => d.sha === url.searchParams.get('sha') && d.environment === url.searchParams.get('environment'));
      return void res.end(JSON.stringify(found.slice(0, Number(url.searchParams.get('per_page') ?? 30))));
    }
    if (req.method === 'GET' && statuses) return void res.end(JSON.stringify(api.statuses[Number(statuses[1])] ?? []));
    res.statusCode = 201;
    if (req.method === 'POST' && url.pathname === '/repos/acme/parking/deployments') return void res.end(JSON.stringify({ id: 900 }));
    if (req.method === 'POST' && statuses) return void res.end(JSON.stringify({ id: calls.length }));
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.env.GITHUB_API_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

let log: string;
beforeEach(() => {
  calls = [];
  log = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((log += String(chunk)), true));
});
afterEach(() => jest.restoreAllMocks());

async function deploy(): Promise<string[]> {
  const record = await DeploymentRecord.start('ghs_x', 'production', 'https://parking.example.com', 'deploy v2 to production', { app: 'parking', version: 'v2' });
  await record.status('success', 'v2 deployed');
  return calls.map((c) => `${c.method} ${c.path}`);
}

const githubsOwn = (run: number) => ({ state: 'in_progress', log_url: `https://github.com/acme/parking/actions/runs/${run}/job/77`, target_url: `https://github.com/acme/parking/actions/runs/${run}/job/77` });

describe('DeploymentRecord', () => {
  test('a job with environment: posts its statuses to the deployment GitHub created for this run, and creates none', async () => {
    api = { deployments: [{ id: 31, sha: SHA, environment: 'production' }], statuses: { 31: [githubsOwn(4242)] } };
    expect(await deploy()).toEqual([
      'GET /repos/acme/parking/deployments',
      'GET /repos/acme/parking/deployments/31/statuses',
      'POST /repos/acme/parking/deployments/31/statuses',
      'POST /repos/acme/parking/deployments/31/statuses',
    ]);
    expect(calls[0]!.query).toMatchObject({ sha: SHA, environment: 'production' });
    expect(calls[2]!.body).toMatchObject({ state: 'in_progress', environment: 'production' });
    expect(calls[3]!.body).toMatchObject({ state: 'success', environment_url: 'https://parking.example.com', log_url: 'https://github.com/acme/parking/actions/runs/4242' });
    expect(log).not.toContain('::warning::');
    expect(log).toContain('GitHub deployment 31: the one GitHub created');
  });

  test("the newest deployment of this run is chosen, past other runs' deployments of the same commit", async () => {
    api = {
      deployments: [
        { id: 52, sha: SHA, environment: 'production' },
        { id: 51, sha: SHA, environment: 'production' },
        { id: 50, sha: SHA, environment: 'production' },
      ],
      statuses: { 52: [githubsOwn(4343)], 51: [{ state: 'success', target_url: 'https://github.com/acme/parking/actions/runs/4242/job/9' }], 50: [githubsOwn(4242)] },
    };
    const paths = await deploy();
    expect(paths.filter((p) => p.startsWith('POST'))).toEqual(['POST /repos/acme/parking/deployments/51/statuses', 'POST /repos/acme/parking/deployments/51/statuses']);
  });

  test('a run id that only starts like this one (runs/42420) is not this run', async () => {
    api = { deployments: [{ id: 61, sha: SHA, environment: 'production' }], statuses: { 61: [githubsOwn(42420)] } };
    expect((await deploy()).filter((p) => p.startsWith('POST'))).toEqual(['POST /repos/acme/parking/deployments', 'POST /repos/acme/parking/deployments/900/statuses', 'POST /repos/acme/parking/deployments/900/statuses']);
  });

  test('without a deployment of this run (no environment: on the job), one is created and gets the statuses', async () => {
    api = { deployments: [], statuses: {} };
    expect(await deploy()).toEqual([
      'GET /repos/acme/parking/deployments',
      'POST /repos/acme/parking/deployments',
      'POST /repos/acme/parking/deployments/900/statuses',
      'POST /repos/acme/parking/deployments/900/statuses',
    ]);
    expect(calls[1]!.body).toMatchObject({ ref: SHA, environment: 'production', production_environment: true, payload: { app: 'parking', version: 'v2' } });
    expect(calls[3]!.body).toMatchObject({ state: 'success' });
  });

  test('a failed look-up warns once and records nothing; the deploy goes on', async () => {
    api = { deployments: [], statuses: {}, failLookup: true };
    expect(await deploy()).toEqual(['GET /repos/acme/parking/deployments']);
    expect(log.match(/^::warning::GitHub deployment records skipped: could not look up the deployment of this job/gm)).toHaveLength(1);
  });

  test('no token: one warning and no request', async () => {
    const record = await DeploymentRecord.start('', 'production', undefined, 'deploy v2', {});
    await record.status('success', 'done');
    expect(calls).toEqual([]);
    expect(log).toMatch(/^::warning::github-token is empty/m);
  });
});
