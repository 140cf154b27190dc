// The machine and tool versions a bench result was measured on, for RESULTS.md.
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { hostExec, type SandboxState } from '../testkit/sandbox/state.js';

function tryRun(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15_000 }).trim();
  } catch (err) {
    const e = err as { stderr?: string };
    return (e.stderr ?? '').trim() || 'unavailable';
  }
}

async function tryHost(state: SandboxState, argv: string[]): Promise<string> {
  try {
    return (await hostExec(state.hosts[0]!, argv)).trim();
  } catch {
    return 'unavailable';
  }
}

export interface MachineInfo {
  date: string;
  nproc: number;
  cpu: string;
  memory: string;
  kernel: string;
  versions: Record<string, string>;
}

export async function machineInfo(state: SandboxState | undefined): Promise<MachineInfo> {
  const versions: Record<string, string> = {
    node: process.version,
    // the client's own version: the machine need not run a daemon on the default socket
    docker: tryRun('docker', ['--version']).replace(/^Docker version /, ''),
    compose: tryRun('docker', ['compose', 'version', '--short']),
    openssh: tryRun('sh', ['-c', 'ssh -V 2>&1']).split('\n')[0] ?? '',
  };
  if (state) {
    versions['dockerd (hosts)'] = await tryHost(state, ['docker', 'version', '--format', '{{.Server.Version}}']);
    // nginx inside the stack's nginx container on host 1 (`nginx -v` prints to stderr)
    versions.nginx = (await tryHost(state, ['sh', '-c', 'docker exec $(docker ps -q --filter label=com.docker.compose.service=nginx | head -1) nginx -v 2>&1'])).replace(/^nginx version: /, '');
  }
  if (!versions.nginx || versions.nginx === 'unavailable') versions.nginx = tryRun('sh', ['-c', 'nginx -v 2>&1']).replace(/^nginx version: /, '');
  return {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    kernel: release(),
    versions,
  };
}
