// Fixed-rate (open-loop) HTTP load generator for the sandbox, counting every failure kind.
//
//   import { startLoad } from '../sandbox/load.js';
//   const load = startLoad({ targets: ['http://10.231.0.11/'], rate: 200, durationMs: 60_000 });
//   ... ; const report = await load.stop();
//
//   npx tsx testkit/sandbox/load.ts --rate 200 --duration 20s [--no-keepalive] [--timeout 5s] URL...
//   npx tsx testkit/sandbox/load.ts --strict --post-every 5 --new-connection-every 4 http://10.233.0.11/lots/ ...
//
// Requests are issued on a fixed schedule (rate per second in total, round-robin over the targets)
// whatever the server does, so a stall shows up as timeouts and latency, not as fewer requests.
// A request counts as ok only when a 2xx response arrived completely. Every other outcome is a
// failure of exactly one kind:
//   connection: could not connect (ECONNREFUSED, EHOSTUNREACH, ...), or another socket error
//   reset:      the connection broke before the response was complete (ECONNRESET, EPIPE,
//               "socket hang up")
//   timeout:    no complete response within timeoutMs
//   non2xx:     a complete response with another status (statusCodes has the breakdown)
// Nothing is retried, with one exception that real clients share: a request sent on a reused
// keep-alive connection that the server had just closed (reset before any response byte) is sent
// again once on a new connection, like browsers, curl and Go's net/http do; these are counted in
// `staleKeepAlive` (retryStaleKeepAlive: false, or --no-retry-stale, makes them failures).
//
// Users of the real stack also write: with postEvery N, every Nth request is a POST of a new parking
// session ({"request_id": <uuid>, "lot": ...}) to postPath on the same host; the request id of every
// acknowledged POST (a 2xx) is in `acknowledged`, for a checker to find in the database exactly once.
// With newConnectionEvery N, every Nth request opens a new connection (Connection: close) while the
// others reuse keep-alive connections. `strict` never sends a request twice (retryStaleKeepAlive false).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LoadOptions {
  /** URLs (http://), round-robin */
  targets: string[];
  /** requests per second, in total over all targets */
  rate: number;
  /** stop issuing after this long (stop() ends earlier) */
  durationMs: number;
  /** reuse connections (default true); false sends `Connection: close` and opens one per request */
  keepAlive?: boolean;
  /** per request, from send to the last byte of the response (default 5000) */
  timeoutMs?: number;
  /**
   * When a reused keep-alive connection is reset before any response byte (the server closed it
   * as the request went out, e.g. nginx old workers closing idle connections on reload), send the
   * request again once on a new connection, as browsers, curl and Go's net/http do. Counted in
   * `staleKeepAlive`; a failure of the retry counts as a failure. Default true; false counts the
   * first reset as a failure.
   */
  retryStaleKeepAlive?: boolean;
  /** never send a request again (overrides retryStaleKeepAlive): every reset is a failure */
  strict?: boolean;
  /** every Nth request is a POST of a new parking session to postPath (0 or absent: GET only) */
  postEvery?: number;
  /** path of the POST on the target's origin (default /sessions/) */
  postPath?: string;
  /** lots the POSTs pick from, in turn (default north, south, river) */
  lots?: string[];
  /** every Nth request goes on a new connection (Connection: close); the others keep alive */
  newConnectionEvery?: number;
  /**
   * A kept-alive connection idle this long is closed by the client (default 10000), as clients do:
   * it must be shorter than the server's keep-alive timeout, or the client may send on a connection
   * at the instant the server closes it. A shorter `Keep-Alive: timeout=N` from the server wins
   * (Node closes 1 s before N).
   */
  idleTimeoutMs?: number;
}

export interface LoadReport {
  requests: number;
  ok: number;
  failed: number;
  failures: { connection: number; reset: number; timeout: number; non2xx: number };
  /** of successful requests, ms */
  latency: { p50: number; p99: number; max: number };
  /** from start to the last request issued, ms */
  durationMs: number;
  /** status code -> count, for every complete response */
  statusCodes: Record<string, number>;
  /** error code -> count, for every failure without a complete response (ECONNREFUSED, TIMEOUT, ...) */
  errors: Record<string, number>;
  /**
   * requests whose reused keep-alive connection was reset before any response byte; retried once
   * on a new connection (retryStaleKeepAlive, default) — then not failures unless the retry failed —
   * or, with retryStaleKeepAlive false, counted in failures.reset as well
   */
  staleKeepAlive: number;
  /** first failures (up to 20) with time offset (ms), target and what happened, for debugging */
  firstFailures: { atMs: number; target: string; kind: string; detail: string }[];
  /** per target: requests and failures */
  perTarget: Record<string, { requests: number; failed: number }>;
  /** POSTs sent, and how many of them failed (they are in requests and failed too) */
  posts: { sent: number; failed: number };
  /** request_id of every POST answered with a 2xx */
  acknowledged: string[];
  /** requests sent on a new connection (Connection: close) */
  newConnections: number;
}

export interface LoadHandle {
  stop(): Promise<LoadReport>;
  done: Promise<LoadReport>;
}

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNABORTED']);
const RESET_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'HPE_INVALID_EOF_STATE']);

/** Only the sandbox: loopback and the sandbox networks (10.231.0.0/16, or 10.(231+SANDBOX_ID) for others). */
function assertSandboxTarget(u: URL): void {
  const h = u.hostname.replace(/^\[|\]$/g, '');
  const ok =
    h === 'localhost' || h === '::1' || (isIP(h) === 4 && (/^127\./.test(h) || /^10\.(23[1-9]|240)\./.test(h)));
  if (!ok) throw new Error(`load target ${u.href} is outside the sandbox (allowed: loopback and the sandbox networks 10.231-240.x.x)`);
  if (u.protocol !== 'http:') throw new Error(`load target ${u.href}: only http:// is supported`);
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const round = (n: number) => Math.round(n * 100) / 100;

export function startLoad(opts: LoadOptions): LoadHandle {
  if (!opts.targets.length) throw new Error('startLoad: no targets');
  if (!(opts.rate > 0)) throw new Error('startLoad: rate must be > 0');
  const targets = opts.targets.map((t) => new URL(t));
  targets.forEach(assertSandboxTarget);
  const keepAlive = opts.keepAlive ?? true;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const retryStale = opts.strict ? false : (opts.retryStaleKeepAlive ?? true);
  const postEvery = Math.max(0, Math.floor(opts.postEvery ?? 0));
  const newConnectionEvery = Math.max(0, Math.floor(opts.newConnectionEvery ?? 0));
  const idleTimeoutMs = Math.max(1, Math.floor(opts.idleTimeoutMs ?? 10_000));
  const lots = opts.lots?.length ? opts.lots : ['north', 'south', 'river'];
  const postUrls = targets.map((t) => new URL(opts.postPath ?? '/sessions/', t));
  const agents = targets.map(() => new http.Agent({ keepAlive, maxSockets: Infinity, keepAliveMsecs: 1000, timeout: idleTimeoutMs }));

  const report: LoadReport = {
    requests: 0,
    ok: 0,
    failed: 0,
    failures: { connection: 0, reset: 0, timeout: 0, non2xx: 0 },
    latency: { p50: 0, p99: 0, max: 0 },
    durationMs: 0,
    statusCodes: {},
    errors: {},
    staleKeepAlive: 0,
    firstFailures: [],
    perTarget: Object.fromEntries(opts.targets.map((t) => [t, { requests: 0, failed: 0 }])),
    posts: { sent: 0, failed: 0 },
    acknowledged: [],
    newConnections: 0,
  };
  const latencies: number[] = [];
  const start = performance.now();
  let issued = 0;
  let inFlight = 0;
  let stopped = false;
  let drained: (() => void) | undefined;
  let resolveDone!: (r: LoadReport) => void;
  const done = new Promise<LoadReport>((r) => (resolveDone = r));

  function fail(target: string, kind: keyof LoadReport['failures'], detail: string, post = false): void {
    report.failed++;
    if (post) report.posts.failed++;
    report.failures[kind]++;
    report.perTarget[target]!.failed++;
    if (report.firstFailures.length < 20) report.firstFailures.push({ atMs: Math.round(performance.now() - start), target, kind, detail });
  }

  function fire(idx: number, n: number): void {
    const target = opts.targets[idx]!;
    const post = postEvery > 0 && n % postEvery === postEvery - 1;
    const fresh = newConnectionEvery > 0 && n % newConnectionEvery === newConnectionEvery - 1;
    const requestId = post ? randomUUID() : '';
    const body = post ? JSON.stringify({ request_id: requestId, lot: lots[report.posts.sent % lots.length] }) : '';
    if (post) report.posts.sent++;
    if (fresh) report.newConnections++;
    const failHere = (t: string, kind: keyof LoadReport['failures'], detail: string) => fail(t, kind, `${post ? 'POST' : 'GET'}: ${detail}`, post);
    report.requests++;
    report.perTarget[target]!.requests++;
    inFlight++;
    const t0 = performance.now();
    let settled = false;
    let current: http.ClientRequest | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      inFlight--;
      if (inFlight === 0 && drained) drained();
    };
    const timer = setTimeout(() => {
      finish(() => {
        report.errors.TIMEOUT = (report.errors.TIMEOUT ?? 0) + 1;
        failHere(target, 'timeout', `no complete response after ${timeoutMs} ms`);
      });
      current?.destroy();
    }, timeoutMs);

    const send = (agent: http.Agent | false, retry: boolean) => {
      let gotResponse = false;
      const headers: Record<string, string> = { 'user-agent': 'parking-ci-sandbox-load' };
      if (!keepAlive || agent === false) headers.connection = 'close';
      if (post) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      const req = http.request(post ? postUrls[idx]! : targets[idx]!, { agent, headers, method: post ? 'POST' : 'GET' });
      current = req;
      req.on('response', (res) => {
        gotResponse = true;
        res.on('data', () => {});
        res.on('end', () =>
          finish(() => {
            const code = res.statusCode ?? 0;
            report.statusCodes[code] = (report.statusCodes[code] ?? 0) + 1;
            if (code >= 200 && code < 300) {
              report.ok++;
              if (post) report.acknowledged.push(requestId);
              latencies.push(performance.now() - t0);
            } else failHere(target, 'non2xx', `HTTP ${code}`);
          }),
        );
        res.on('error', (err: NodeJS.ErrnoException) =>
          finish(() => {
            const code = err.code ?? 'ERESPONSE';
            report.errors[code] = (report.errors[code] ?? 0) + 1;
            failHere(target, 'reset', `response broken: ${err.message}`);
          }),
        );
        res.on('aborted', () =>
          finish(() => {
            report.errors.ECONNRESET = (report.errors.ECONNRESET ?? 0) + 1;
            failHere(target, 'reset', 'response aborted');
          }),
        );
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        const code = err.code ?? 'EUNKNOWN';
        const isReset = RESET_ERRORS.has(code) || /socket hang up/.test(err.message);
        // A keep-alive connection the server closed while this request was being sent on it:
        // nothing was processed, and browsers, curl and Go's client send the request again on a
        // new connection. Do the same (once), and count it.
        if (isReset && req.reusedSocket && !gotResponse && retry) {
          report.staleKeepAlive++;
          send(false, false);
          return;
        }
        finish(() => {
          report.errors[code] = (report.errors[code] ?? 0) + 1;
          if (isReset && req.reusedSocket && !gotResponse) report.staleKeepAlive++;
          if (isReset) failHere(target, 'reset', `${code}: ${err.message}${req.reusedSocket ? ' (reused keep-alive connection)' : ''}`);
          else if (CONNECT_ERRORS.has(code)) failHere(target, 'connection', `${code}: ${err.message}`);
          else failHere(target, 'connection', `${code}: ${err.message}`);
        });
      });
      req.end(body || undefined);
    };
    send(fresh ? false : agents[idx]!, retryStale);
  }

  function tick(): void {
    const elapsed = performance.now() - start;
    if (elapsed >= opts.durationMs) {
      void finishRun();
      return;
    }
    const due = Math.floor((elapsed * opts.rate) / 1000) + 1;
    while (issued < due) {
      fire(issued % targets.length, issued);
      issued++;
    }
  }
  const interval = setInterval(tick, Math.max(1, Math.min(5, Math.floor(1000 / opts.rate))));
  tick();

  let finishing: Promise<LoadReport> | undefined;
  function finishRun(): Promise<LoadReport> {
    if (finishing) return finishing;
    stopped = true;
    clearInterval(interval);
    report.durationMs = Math.round(performance.now() - start);
    finishing = (async () => {
      if (inFlight > 0) await new Promise<void>((r) => (drained = r));
      agents.forEach((a) => a.destroy());
      latencies.sort((a, b) => a - b);
      report.latency = { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? 0) };
      resolveDone(report);
      return report;
    })();
    return finishing;
  }
  void stopped;

  return { stop: finishRun, done };
}

// ---------------------------------------------------------------------------------------------
// CLI

export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s.trim());
  if (!m) throw new Error(`bad duration ${s} (use 500ms, 20s, 2m)`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

async function main(argv: string[]): Promise<void> {
  let rate = 100;
  let durationMs = 10_000;
  let timeoutMs: number | undefined;
  let keepAlive = true;
  let retryStaleKeepAlive = true;
  let strict = false;
  let postEvery = 0;
  let newConnectionEvery = 0;
  const targets: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--rate' || a === '-R') rate = Number(next());
    else if (a === '--duration' || a === '-d') durationMs = parseDuration(next());
    else if (a === '--timeout') timeoutMs = parseDuration(next());
    else if (a === '--no-keepalive' || a === '--no-keep-alive') keepAlive = false;
    else if (a === '--keepalive' || a === '--keep-alive') keepAlive = true;
    else if (a === '--no-retry-stale') retryStaleKeepAlive = false;
    else if (a === '--strict') strict = true;
    else if (a === '--post-every') postEvery = Number(next());
    else if (a === '--new-connection-every') newConnectionEvery = Number(next());
    else if (a === '-h' || a === '--help') {
      console.log('usage: npx tsx testkit/sandbox/load.ts --rate 200 --duration 20s [--timeout 5s] [--no-keepalive] [--no-retry-stale] [--strict] [--post-every N] [--new-connection-every N] URL...');
      return;
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else targets.push(a);
  }
  if (!targets.length) throw new Error('no target URL');
  const load = startLoad({ targets, rate, durationMs, keepAlive, retryStaleKeepAlive, strict, postEvery, newConnectionEvery, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  process.once('SIGINT', () => void load.stop());
  const report = await load.done;
  console.log(JSON.stringify({ ...report, acknowledged: report.acknowledged.length }, null, 2));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main(process.argv.slice(2)).catch((err: Error) => {
    console.error(`load: ${err.message}`);
    process.exit(2);
  });
}
