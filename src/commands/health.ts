import { formatDuration } from '../config/duration.js';
import { quote, raw, type Script } from './shell.js';
import type { Step } from './step.js';

export interface HealthProbe {
  containerId: string;
  address: string;
  port: number;
  path: string;
  expectStatus: number;
  timeoutMs: number;
  intervalMs: number;
  /** Answers other than expectStatus in a row (from a server that is up) that end the wait at once. */
  failureThreshold: number;
}

/** The rule that ended a health check's wait. */
export type HealthEnding = 'healthy' | 'failure-threshold' | 'container-stopped' | 'timeout';

/**
 * Polls one container's health endpoint directly (not through nginx) with bash's /dev/tcp, so the
 * host needs no curl. Prints one `attempt <ms> <status>` line per try, then `healthy` or `unhealthy`
 * and `ended <rule>`, with the last response and the container's last log lines. The wait ends at
 * once on a definite failure: `failureThreshold` answers in a row with another status, or a
 * container that is no longer running; a server not listening yet gets the whole timeout. Nothing
 * pipes into a reader that may stop early (`head`): under pipefail the writer's SIGPIPE would end
 * the probe with exit 141.
 */
export function healthCheckScript(p: HealthProbe): Script {
  const get =
    'exec 3<>"/dev/tcp/$0/$1" && printf "GET %s HTTP/1.0\\r\\nHost: %s\\r\\nUser-Agent: parking-ci-health\\r\\nConnection: close\\r\\n\\r\\n" "$2" "$0" >&3 && head -c 4096 <&3';
  return [
    [raw(`id=${quote(p.containerId)}`)],
    [raw('start=$(date +%s%3N); deadline=$((start +'), String(p.timeoutMs), raw('))')],
    [raw('status=none; resp=""; bad=0; ended=timeout')],
    [raw('while :; do')],
    [raw('  state=$(docker inspect --format "{{.State.Status}}" "$id" 2>/dev/null || echo missing)')],
    [raw('  if [ "$state" != running ]; then status="container $state"; ended=container-stopped; echo "attempt $(( $(date +%s%3N) - start )) $state"; break; fi')],
    [raw('  resp=$(timeout 5 bash -c'), get, p.address, String(p.port), p.path, raw('2>&1 || true)')],
    [raw('  status=""; if [[ $resp =~ ^HTTP/[0-9.]+\\ ([0-9]+) ]]; then status=${BASH_REMATCH[1]}; fi')],
    [raw('  echo "attempt $(( $(date +%s%3N) - start )) ${status:-no-answer}"')],
    [raw('  if [ "${status:-}" ='), String(p.expectStatus), raw(']; then echo healthy; echo ended healthy; exit 0; fi')],
    // an answer with another status counts; no answer (not listening yet) starts the count again
    [raw('  if [ -n "$status" ]; then bad=$((bad + 1)); else bad=0; fi')],
    [raw('  if [ "$bad" -ge'), String(p.failureThreshold), raw(']; then ended=failure-threshold; break; fi')],
    [raw('  if [ "$(date +%s%3N)" -ge "$deadline" ]; then break; fi')],
    ['sleep', (p.intervalMs / 1000).toFixed(3)],
    [raw('done')],
    [raw('echo unhealthy; echo "ended $ended"; echo "### response"; printf "%s\\n" "${resp:0:2000}" | tr -d "\\r"; echo; echo "### logs"; docker logs --tail 40 "$id" 2>&1 | tail -c 6000 || true')],
  ];
}

export interface HealthResult {
  healthy: boolean;
  /** The rule that ended the wait (absent from a probe that printed none). */
  ended?: HealthEnding;
  attempts: { ms: number; status: string }[];
  lastResponse: string;
  logs: string;
}

const ENDINGS: readonly HealthEnding[] = ['healthy', 'failure-threshold', 'container-stopped', 'timeout'];

export function parseHealth(stdout: string): HealthResult {
  const [head = '', rest = ''] = stdout.split('\n### response\n');
  const [response = '', logs = ''] = rest.split('\n### logs\n');
  const attempts = [...head.matchAll(/^attempt (\d+) (.+)$/gm)].map((m) => ({ ms: Number(m[1]), status: m[2]! }));
  const ended = ENDINGS.find((e) => new RegExp(`^ended ${e}$`, 'm').test(head));
  return { healthy: /^healthy$/m.test(head), ...(ended ? { ended } : {}), attempts, lastResponse: response.trim(), logs: logs.trim() };
}

/** Why a failed health check ended, in words (the summary and the error say it). */
export function healthEndingText(h: HealthResult, p: Pick<HealthProbe, 'expectStatus' | 'failureThreshold' | 'timeoutMs'>): string {
  const last = h.attempts.at(-1)?.status ?? 'none';
  switch (h.ended) {
    case 'failure-threshold':
      return `${p.failureThreshold} answer(s) in a row other than ${p.expectStatus} (last: ${last}; failure-threshold ${p.failureThreshold})`;
    case 'container-stopped':
      return `the container stopped (${last})`;
    case 'timeout':
      return `no ${p.expectStatus} within health.timeout (${formatDuration(p.timeoutMs)}; last: ${last})`;
    default:
      return `last: ${last}`;
  }
}

/** The health check of one container; the step's own timeout leaves room beyond the probe's. */
export function healthStep(p: HealthProbe): Step<HealthResult> {
  return { label: 'health check', script: healthCheckScript(p), parse: parseHealth, sample: 'attempt 0 200\nhealthy\nended healthy\n', timeoutMs: p.timeoutMs + 30_000 };
}
