// Load assertions of the deploy end-to-end suites (jest only: the demo imports e2e.ts outside jest).
import { expect } from '@jest/globals';
import { startLoad, type LoadReport } from '../../testkit/sandbox/load.js';
import { hostExec, type SandboxState } from '../../testkit/sandbox/state.js';
import { targets } from '../../testkit/e2e.js';

export const LOAD_RATE = 200;

/** Runs `fn` under a steady keep-alive load on every host (from 1 s before to 1 s after). */
export async function underLoad<T>(state: SandboxState, fn: () => Promise<T>): Promise<[T, LoadReport]> {
  const load = startLoad({ targets: targets(state), rate: LOAD_RATE, durationMs: 240_000, keepAlive: true });
  await new Promise((r) => setTimeout(r, 1000));
  try {
    const result = await fn();
    await new Promise((r) => setTimeout(r, 1000));
    return [result, await load.stop()];
  } catch (err) {
    await load.stop();
    throw err;
  }
}

/** 0 failed requests; on failure the message carries the first failures and nginx's error lines. */
export async function noFailures(state: SandboxState, report: LoadReport): Promise<void> {
  const evidence = report.failed
    ? {
        firstFailures: report.firstFailures.slice(0, 5),
        nginx: await Promise.all(state.hosts.map((h) => hostExec(h, ['sh', '-c', 'docker logs $(docker ps -qf label=com.docker.compose.service=nginx) 2>&1 | grep -E "\\[(error|warn)\\]" | tail -4 | cut -c1-240']))),
      }
    : {};
  expect({ failed: report.failed, failures: report.failures, ...evidence }).toEqual({ failed: 0, failures: { connection: 0, reset: 0, timeout: 0, non2xx: 0 } });
  expect(report.requests).toBeGreaterThan(LOAD_RATE); // the load really ran
}
