// Shared helpers of the deploy/rollback end-to-end tests on the sandbox.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newRunnerDirs, runAction, type ActionResult, type RunOptions } from './run-action.js';
import { acceptedConnections as hostConnections, httpGet, type SandboxState } from './sandbox/state.js';

/** A workspace whose .github/parking-ci.yml is the sandbox config, optionally edited. */
export function workspaceFor(state: SandboxState, edit: (yaml: string) => string = (y) => y): string {
  const { workspace } = newRunnerDirs();
  mkdirSync(join(workspace, '.github'), { recursive: true });
  writeFileSync(join(workspace, '.github', 'parking-ci.yml'), edit(readFileSync(state.configFile, 'utf8')));
  return workspace;
}

export function connectionInputs(state: SandboxState): Record<string, string> {
  return {
    'ssh-private-key': readFileSync(state.sshKey, 'utf8'),
    'known-hosts': readFileSync(state.knownHosts, 'utf8'),
    'registry-password': state.registry.password,
    'github-token': '',
  };
}

export function deploy(state: SandboxState, version: string, options: RunOptions & { edit?: (y: string) => string } = {}): Promise<ActionResult> {
  return runAction('deploy', {
    workspace: options.workspace ?? workspaceFor(state, options.edit),
    ...options,
    inputs: { environment: 'production', version, ...connectionInputs(state), ...options.inputs },
  });
}

export function rollback(state: SandboxState, to: string, options: RunOptions = {}): Promise<ActionResult> {
  return runAction('rollback', {
    workspace: options.workspace ?? workspaceFor(state),
    ...options,
    inputs: { environment: 'production', to, ...connectionInputs(state), ...options.inputs },
  });
}

export const get = httpGet;

/** The version each host's nginx serves now ("parking web v2" -> "v2"). */
export async function servedVersions(state: SandboxState): Promise<string[]> {
  return Promise.all(state.hosts.map(async (h) => /parking web (\S+)/.exec((await get(`http://${h.address}/`)).body)?.[1] ?? '?'));
}

/** sshd's accepted connections per host, from its log. */
export function acceptedConnections(state: SandboxState): number[] {
  return state.hosts.map(hostConnections);
}

/** Polls every host through nginx while a run goes on; records every version it saw served. */
export function watchVersions(state: SandboxState, everyMs = 100): { stop(): Promise<Set<string>> } {
  const seen = new Set<string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      await Promise.all(
        state.hosts.map(async (h) => {
          try {
            const v = /parking web (\S+)/.exec((await get(`http://${h.address}/`)).body)?.[1];
            if (v) seen.add(v);
          } catch {
            // failures are the load generator's to count
          }
        }),
      );
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

export const targets = (state: SandboxState) => state.hosts.map((h) => `http://${h.address}/`);

/** Waits until every host has answered 200 through nginx `times` times in a row (after a reset). */
export async function settled(state: SandboxState, times = 20): Promise<void> {
  let streak = 0;
  for (let i = 0; i < 600 && streak < times; i++) {
    const ok = await Promise.all(state.hosts.map((h) => get(`http://${h.address}/`, 1000).then((r) => r.status === 200, () => false)));
    streak = ok.every(Boolean) ? streak + 1 : 0;
    await new Promise((r) => setTimeout(r, 50));
  }
}

