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
}

/**
 * Polls one container's health endpoint directly (not through nginx) with bash's /dev/tcp, so the
 * host needs no curl. Prints one `attempt <ms> <status>` line per try, then `healthy` or `unhealthy`
 * with the last response and the container's last log lines. Nothing pipes into a reader that may
 * stop early (`head`): under pipefail the writer's SIGPIPE would end the probe with exit 141.
 */
export function healthCheckScript(p: HealthProbe): Script {
  const get =
    'exec 3<>"/dev/tcp/$0/$1" && printf "GET %s HTTP/1.0\\r\\nHost: %s\\r\\nUser-Agent: parking-ci-health\\r\\nConnection: close\\r\\n\\r\\n" "$2" "$0" >&3 && head -c 4096 <&3';
  return [
    [raw(`id=${quote(p.containerId)}`)],
    [raw('start=$(date +%s%3N); deadline=$((start +'), String(p.timeoutMs), raw('))')],
    [raw('status=none; resp=""')],
    [raw('while :; do')],
    [raw('  state=$(docker inspect --format "{{.State.Status}}" "$id" 2>/dev/null || echo missing)')],
    [raw('  if [ "$state" != running ]; then status="container $state"; echo "attempt $(( $(date +%s%3N) - start )) $state"; break; fi')],
    [raw('  resp=$(timeout 5 bash -c'), get, p.address, String(p.port), p.path, raw('2>&1 || true)')],
    [raw('  status=""; if [[ $resp =~ ^HTTP/[0-9.]+\\ ([0-9]+) ]]; then status=${BASH_REMATCH[1]}; fi')],
    [raw('  echo "attempt $(( $(date +%s%3N) - start )) ${status:-no-answer}"')],
    [raw('  if [ "${status:-}" ='), String(p.expectStatus), raw(']; then echo healthy; exit 0; fi')],
    [raw('  if [ "$(date +%s%3N)" -ge "$deadline" ]; then break; fi')],
    ['sleep', (p.intervalMs / 1000).toFixed(3)],
    [raw('done')],
    [raw('echo unhealthy; echo "### response"; printf "%s\\n" "${resp:0:2000}" | tr -d "\\r"; echo; echo "### logs"; docker logs --tail 40 "$id" 2>&1 | tail -c 6000 || true')],
  ];
}

export interface HealthResult {
  healthy: boolean;
  attempts: { ms: number; status: string }[];
  lastResponse: string;
  logs: string;
}

export function parseHealth(stdout: string): HealthResult {
  const [head = '', rest = ''] = stdout.split('\n### response\n');
  const [response = '', logs = ''] = rest.split('\n### logs\n');
  const attempts = [...head.matchAll(/^attempt (\d+) (.+)$/gm)].map((m) => ({ ms: Number(m[1]), status: m[2]! }));
  return { healthy: /^healthy$/m.test(head), attempts, lastResponse: response.trim(), logs: logs.trim() };
}

/** The health check of one container; the step's own timeout leaves room beyond the probe's. */
export function healthStep(p: HealthProbe): Step<HealthResult> {
  return { label: 'health check', script: healthCheckScript(p), parse: parseHealth, sample: 'attempt 0 200\nhealthy\n', timeoutMs: p.timeoutMs + 30_000 };
}
