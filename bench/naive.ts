// The "naive" deploy: what a hand-written pipeline does. Over plain ssh, host after host: log in to the
// registry, pull, `compose up -d` (which recreates every container in place), run the migration.
// It is the baseline that shows the bench's load harness does see failed requests.
import { spawn } from 'node:child_process';
import type { SandboxState } from '../testkit/sandbox/state.js';

export interface NaiveResult {
  ok: boolean;
  /** The first failing host's stderr tail, when one failed. */
  error?: string;
}

/** The remote shell line run on each host (the registry password comes on stdin, never in argv). */
export function naiveScript(state: SandboxState, version: string): string {
  const image = `${state.image}:${version}`;
  const compose = `PARKING_IMAGE=${image} docker compose -p ${state.app}`;
  return [
    `docker login -u ${state.registry.username} --password-stdin ${state.registry.address} >/dev/null`,
    `cd ${state.appDir}`,
    `${compose} pull web worker beat`,
    `${compose} up -d`,
    `${compose} exec -T web migrate`,
  ].join(' && ');
}

function sshRun(state: SandboxState, host: SandboxState['hosts'][number], script: string, stdin: string): Promise<{ code: number | null; stderr: string }> {
  const args = [
    '-i', state.sshKey,
    '-o', `UserKnownHostsFile=${state.knownHosts}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'ConnectTimeout=10',
    '-p', String(host.port),
    `${host.user}@${host.address}`,
    script,
  ];
  return new Promise((resolve) => {
    const child = spawn('ssh', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(stdin);
    child.on('error', (err) => resolve({ code: 255, stderr: String(err) }));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** One ssh connection per host, hosts one after the other; stops at the first failing host. */
export async function naiveDeploy(state: SandboxState, version: string): Promise<NaiveResult> {
  const script = naiveScript(state, version);
  for (const host of state.hosts) {
    const { code, stderr } = await sshRun(state, host, script, `${state.registry.password}\n`);
    if (code !== 0) return { ok: false, error: `${host.address}: exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` };
  }
  return { ok: true };
}
