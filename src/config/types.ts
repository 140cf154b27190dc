import type { BatchSize } from './schema.js';

/** One SSH target. `id` ("host" or "host:port") names it in logs, outputs and summaries. */
export interface Host {
  id: string;
  host: string;
  port: number;
  user: string;
}

export interface Environment {
  name: string;
  url?: string;
  hosts: Host[];
  /**
   * `proxyJump` as written; `jumpHosts` the same hops parsed, in the order ssh connects to them (a hop
   * without `user@` logs in as `ssh.user`, without `:port` on port 22).
   */
  ssh: { user: string; port: number; proxyJump?: string; jumpHosts?: Host[] };
  appDir: string;
  composeFile: string;
  services: string[];
  webService: string;
  singletonServices: string[];
  proxyService: string;
  upstreamFile: string;
  upstreamName: string;
  strategy: Strategy;
  batchSize: BatchSize;
  maxFailedHosts: number;
  health: { path: string; port: number; expectStatus: number; timeoutMs: number; intervalMs: number; failureThreshold: number };
  drainMs: number;
  migrate?: { command: string; timeoutMs: number };
  keepReleases: number;
  /** blue-green: whether the idle color keeps running after the switch or is stopped (kept). */
  keepIdleColor: 'stopped' | 'running';
  /** The app's environment: clear values (shown in the plan) and the names of secrets (values from the `secrets` input). */
  env: { clear: Record<string, string>; secret: string[] };
  hooks: Partial<Record<HookName, Hook>>;
}

export type HookName = 'pre-deploy' | 'pre-migrate' | 'post-deploy' | 'post-rollback';

/** A command run once per run on the primary host: in a one-off container of the release's image, or in a shell on the host. */
export interface Hook {
  command: string;
  in: 'image' | 'host';
  timeoutMs: number;
}

export type Strategy = 'rolling' | 'blue-green';

export interface Config {
  app: string;
  image: string;
  registry?: { server: string; username: string };
  environments: Record<string, Environment>;
}
