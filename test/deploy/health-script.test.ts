// The health probe as the host runs it: real bash -euo pipefail, real HTTP servers on loopback, and
// a stand-in `docker` that says the container is running. A failing app answers with a page far
// longer than what the probe keeps; the probe must still end "unhealthy" with that answer and the
// container's logs, and exit 0 (a pipeline cut short by `head` must not kill it with SIGPIPE).
// The wait ends at once on a definite failure (failure-threshold answers in a row other than the
// expected status, or a container that stopped); a server not listening yet gets the whole timeout.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { healthCheckScript, healthEndingText, parseHealth } from '../../src/commands/health.js';
import { renderScript } from '../../src/commands/shell.js';

let server: Server;
let port = 0;
/** Statuses the next answers give, in order (then 500): set by a test. */
let answers: number[] = [];
beforeAll(async () => {
  server = createServer((_req, res) => {
    const status = answers.shift() ?? 500;
    res.writeHead(status, { 'content-type': 'text/html' });
    res.end(status === 500 ? `<html><body>${'Server Error '.repeat(2000)}</body></html>` : 'ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
beforeEach(() => (answers = []));
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A loopback port nothing listens on (connection refused). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

function bash(script: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-s'], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(script);
  });
}

/** The probe run by a real bash with stand-in commands (name -> bash script body) first on PATH. */
async function probe(standIns: Record<string, string>, timing: { timeoutMs: number; intervalMs: number; failureThreshold?: number; port?: number }) {
  const bin = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  for (const [name, body] of Object.entries(standIns)) {
    writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  const script = renderScript(healthCheckScript({ containerId: 'abc', address: '127.0.0.1', port, path: '/health/', expectStatus: 200, failureThreshold: 1000, ...timing }));
  return bash(script, { ...process.env, PATH: `${bin}:${process.env.PATH}` });
}

test('a long 500 answer ends the probe as unhealthy, with the answer and the logs, exit 0', async () => {
  const r = await probe({ docker: 'if [ "$1" = inspect ]; then echo running; else for i in $(seq 1 3000); do echo "log line $i of a chatty container"; done; fi' }, { timeoutMs: 300, intervalMs: 100 });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  const health = parseHealth(r.stdout);
  expect(health.healthy).toBe(false);
  expect(health.attempts.length).toBeGreaterThan(0);
  expect(health.attempts.every((a) => a.status === '500')).toBe(true);
  expect(health.lastResponse).toMatch(/^HTTP\/1\.\d 500/);
  expect(health.lastResponse.length).toBeLessThanOrEqual(2000);
  expect(health.logs).toMatch(/log line 3000 of a chatty container$/);
});

test('no reader that stops early ends the probe: a writer slower than `head` does not kill it with SIGPIPE', async () => {
  // A stand-in `tr` that writes its output in two pieces, the second after a pause: under the old
  // `printf | tr | head -c 2000` it got SIGPIPE once head had its 2000 bytes, and pipefail + set -e
  // ended the probe with exit 141 (seen on a busy host, where any writer can be that slow).
  const r = await probe(
    { docker: 'if [ "$1" = inspect ]; then echo running; else echo one log line; fi', tr: '/usr/bin/tr "$@" | { /usr/bin/head -c 2100; sleep 0.2; cat; }' },
    { timeoutMs: 0, intervalMs: 10 },
  );
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  const health = parseHealth(r.stdout);
  expect(health.healthy).toBe(false);
  expect(health.attempts.map((a) => a.status)).toEqual(['500']);
  expect(health.lastResponse).toMatch(/^HTTP\/1\.\d 500/);
  expect(health.lastResponse.length).toBeLessThanOrEqual(2000);
  expect(health.logs).toBe('one log line');
});

const running = 'if [ "$1" = inspect ]; then echo running; else echo booted; fi';

test('failure-threshold answers in a row other than expect-status end the wait at once, long before the timeout', async () => {
  const started = Date.now();
  const r = await probe({ docker: running }, { timeoutMs: 60_000, intervalMs: 50, failureThreshold: 3 });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  const health = parseHealth(r.stdout);
  expect(health).toMatchObject({ healthy: false, ended: 'failure-threshold', logs: 'booted' });
  expect(health.attempts.map((a) => a.status)).toEqual(['500', '500', '500']);
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(healthEndingText(health, { expectStatus: 200, failureThreshold: 3, timeoutMs: 60_000 })).toBe('3 answer(s) in a row other than 200 (last: 500; failure-threshold 3)');
});

test('answers other than expect-status fewer than the threshold in a row do not end the wait: a later 200 is healthy', async () => {
  answers = [503, 503, 200];
  const r = await probe({ docker: running }, { timeoutMs: 60_000, intervalMs: 50, failureThreshold: 3 });
  const health = parseHealth(r.stdout);
  expect(health).toMatchObject({ healthy: true, ended: 'healthy' });
  expect(health.attempts.map((a) => a.status)).toEqual(['503', '503', '200']);
});

test('a server not listening yet gets the whole timeout (connection refused is no answer, and starts the count again)', async () => {
  const port = await closedPort();
  const started = Date.now();
  const r = await probe({ docker: running }, { timeoutMs: 400, intervalMs: 50, failureThreshold: 1, port });
  // the probe ends once its deadline passed (its last attempt may be stamped just before the deadline check)
  expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  const health = parseHealth(r.stdout);
  expect(health).toMatchObject({ healthy: false, ended: 'timeout' });
  expect(health.attempts.length).toBeGreaterThan(2);
  expect(health.attempts.every((a) => a.status === 'no-answer')).toBe(true);
  expect(healthEndingText(health, { expectStatus: 200, failureThreshold: 1, timeoutMs: 400 })).toBe('no 200 within health.timeout (400ms; last: no-answer)');
});

test('a container that exited or restarts ends the wait at once', async () => {
  for (const state of ['exited', 'restarting']) {
    const r = await probe({ docker: `if [ "$1" = inspect ]; then echo ${state}; else echo crashed on boot; fi` }, { timeoutMs: 60_000, intervalMs: 50, port: await closedPort() });
    const health = parseHealth(r.stdout);
    expect(health).toMatchObject({ healthy: false, ended: 'container-stopped', logs: 'crashed on boot' });
    expect(health.attempts.map((a) => a.status)).toEqual([state]);
    expect(healthEndingText(health, { expectStatus: 200, failureThreshold: 3, timeoutMs: 60_000 })).toBe(`the container stopped (${state})`);
  }
});
