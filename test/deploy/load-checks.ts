// Load assertions of the deploy end-to-end suites (jest only: the demo imports e2e.ts outside jest).
import { expect } from '@jest/globals';
import { startLoad, type LoadReport } from '../../testkit/sandbox/load.js';
import { hostExec, type SandboxState } from '../../testkit/sandbox/state.js';
import { targets } from '../../testkit/e2e.js';
import { checkAcknowledged, startUserLoad, watchAssets, type AssetWatch } from '../../testkit/sandbox/stack-checks.js';

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

/**
 * The real stack (SANDBOX_STACK=django): `fn` under users' load (GET + 1 POST in 5, keep-alive and new
 * connections, strict: nothing is sent twice) and a watcher of every asset pages reference.
 */
export async function underUserLoad<T>(state: SandboxState, fn: () => Promise<T>): Promise<[T, LoadReport, AssetWatch]> {
  const load = startUserLoad(state, LOAD_RATE, 240_000);
  const assets = watchAssets(state);
  await new Promise((r) => setTimeout(r, 1000));
  try {
    const result = await fn();
    await new Promise((r) => setTimeout(r, 1000));
    return [result, await load.stop(), await assets.stop()];
  } catch (err) {
    await load.stop();
    await assets.stop();
    throw err;
  }
}

/** 0 failed requests (strictly), every acknowledged POST once with its task run once, every asset 200. */
export async function usersServed(state: SandboxState, report: LoadReport, assets: AssetWatch): Promise<void> {
  await noFailures(state, report);
  expect(report.staleKeepAlive).toBe(0);
  expect(report.posts.sent).toBeGreaterThan(40);
  expect(report.acknowledged).toHaveLength(report.posts.sent);
  expect(await checkAcknowledged(state, report.acknowledged)).toEqual({ acknowledged: report.posts.sent, missing: 0, tasksNotOnce: 0, unpriced: 0 });
  expect({ failed: assets.failed, failures: assets.failures.slice(0, 5) }).toEqual({ failed: 0, failures: [] });
  expect(assets.fetches).toBeGreaterThan(0);
}
