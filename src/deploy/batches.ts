import type { BatchSize } from '../config/schema.js';
import type { Environment, Host } from '../config/types.js';

/** Splits hosts into the batches a deploy updates at once ("50%" of 3 hosts is 2). */
export function hostBatches(hosts: Host[], batchSize: BatchSize): Host[][] {
  const size = 'count' in batchSize ? batchSize.count : Math.max(1, Math.ceil((hosts.length * batchSize.percent) / 100));
  const batches: Host[][] = [];
  for (let i = 0; i < hosts.length; i += size) batches.push(hosts.slice(i, i + size));
  return batches;
}

/** The host that runs migrations and the singleton services: always the first one. */
export function primaryHost(env: Environment): Host {
  return env.hosts[0]!;
}
