import type { Host } from '../config/types.js';

export interface HostFailure {
  host: Host;
  error: unknown;
}

export interface OnHostsResult<T> {
  /** What the step returned on each host where it succeeded, by host id. */
  results: Map<string, T>;
  /** Every host where it failed, in the order of `hosts`. */
  failures: HostFailure[];
}

/**
 * Runs a step on every host in parallel and waits for every one of them, whatever fails: a failure
 * on one host never leaves another's step still running (the lock race), and none is lost.
 */
export async function onHosts<T>(hosts: Host[], step: (host: Host) => Promise<T>): Promise<OnHostsResult<T>> {
  const settled = await Promise.allSettled(hosts.map((h) => step(h)));
  const results = new Map<string, T>();
  const failures: HostFailure[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') results.set(hosts[i]!.id, s.value);
    else failures.push({ host: hosts[i]!, error: s.reason });
  });
  return { results, failures };
}
