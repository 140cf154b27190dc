// Waiting for nginx to let go of the containers about to stop, as the host runs it: real bash
// -euo pipefail, the real inspection command run by a real sh, over a stand-in /proc (a directory
// the stand-in `docker exec` puts in place of /proc): nginx workers left from a reload and the
// proxy's TCP connections, in the kernel's format.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nginxLetGoStep, procNetTcpAddress } from '../../src/commands/nginx.js';
import { renderScript } from '../../src/commands/shell.js';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const tcpLine = (n: number, local: string, remote: string, state: string) => `   ${n}: ${local} ${remote} ${state} 00000000:00000000 00:00000000 00000000   101        0 1000${n} 1 0000000000000000 20 4 30 10 -1\n`;
const LISTEN = tcpLine(0, '00000000:0050', '00000000:0000', '0A');
const OLD = '172.19.0.3:8000';
const NEW = '172.19.0.4:8000';

let dir: string;
let proc: string;
let bin: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'let-go-'));
  proc = join(dir, 'proc');
  bin = join(dir, 'bin');
  mkdirSync(join(proc, 'net'), { recursive: true });
  mkdirSync(bin);
  worker(1, 'nginx: master process nginx -g daemon off;');
  worker(30, 'nginx: worker process');
  writeFileSync(join(proc, 'net', 'tcp'), HEADER + LISTEN);
  // `docker exec <proxy> sh -c <command> <pattern>`: the command runs as is, over the stand-in /proc
  writeFileSync(join(bin, 'docker'), `#!/bin/bash\n[ "$1" = exec ] && [ "$2" = proxy-1 ] && [ "$3" = sh ] && [ "$4" = -c ] || exit 9\n[ -e "${dir}/broken" ] && exit 1\nexec sh -c "\${5//\\/proc\\//${proc}/}" "$6"\n`);
  chmodSync(join(bin, 'docker'), 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function worker(pid: number, title: string): void {
  mkdirSync(join(proc, String(pid)), { recursive: true });
  writeFileSync(join(proc, String(pid), 'cmdline'), `${title}\0\0\0`);
}

function run(servers: string[], maxMs: number): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const script = renderScript(nginxLetGoStep('stop', 'proxy-1', servers, maxMs, [['echo', 'stopped']]).script);
  const t = Date.now();
  return new Promise((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-s'], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr, ms: Date.now() - t }));
    child.stdin.end(script);
  });
}

test('addresses as the kernel prints them: bytes reversed, port in hex; anything else is none', () => {
  expect(procNetTcpAddress('172.19.0.3:8000')).toBe('030013AC:1F40');
  expect(procNetTcpAddress('127.0.0.1:80')).toBe('0100007F:0050');
  expect(procNetTcpAddress('10.0.0.255:65535')).toBe('FF00000A:FFFF');
  for (const bad of ['172.19.0.300:8000', '[::1]:8000', 'web:8000', '1.2.3.4:70000', '1.2.3.4', '1.2.3.4:80; reboot']) expect(procNetTcpAddress(bad)).toBeUndefined();
});

test('nothing left on the old containers: they stop at once, without a word', async () => {
  writeFileSync(join(proc, 'net', 'tcp'), HEADER + LISTEN + tcpLine(1, '020013AC:9C40', procNetTcpAddress(NEW)!, '01'));
  const r = await run([OLD], 5000);
  expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: 'stopped\n', stderr: '' });
  expect(r.ms).toBeLessThan(2000);
});

test('a worker left from the reload holds the stop until it exits', async () => {
  worker(31, 'nginx: worker process is shutting down');
  setTimeout(() => rmSync(join(proc, '31'), { recursive: true }), 600);
  const r = await run([OLD], 10_000);
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: 'stopped\n' });
  expect(r.ms).toBeGreaterThanOrEqual(600);
});

test('an open connection to an old container holds the stop; one in TIME_WAIT or to another server does not', async () => {
  const tcp = (state: string) => HEADER + LISTEN + tcpLine(1, '020013AC:9C41', procNetTcpAddress(OLD)!, state) + tcpLine(2, '020013AC:9C42', procNetTcpAddress(NEW)!, '01');
  writeFileSync(join(proc, 'net', 'tcp'), tcp('01'));
  setTimeout(() => writeFileSync(join(proc, 'net', 'tcp'), tcp('06')), 600);
  const r = await run([OLD], 10_000);
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: 'stopped\n' });
  expect(r.ms).toBeGreaterThanOrEqual(600);
});

test('an IPv4-mapped connection in tcp6 counts too', async () => {
  writeFileSync(join(proc, 'net', 'tcp6'), HEADER + tcpLine(1, '0000000000000000FFFF0000020013AC:9C41', `0000000000000000FFFF0000${procNetTcpAddress(OLD)}`, '01'));
  const r = await run([OLD], 700);
  expect(r.stdout).toBe('nginx let go: after 700 ms, 0 nginx worker(s) left from a reload and 1 connection(s) to them\nstopped\n');
  expect(nginxLetGoStep('stop', 'proxy-1', [OLD], 700, []).parse(r.stdout)).toEqual(['after 700 ms, 0 nginx worker(s) left from a reload and 1 connection(s) to them']);
});

test('nginx that never lets go: the wait ends at its bound, says so, and the stop goes on', async () => {
  worker(31, 'nginx: worker process is shutting down');
  writeFileSync(join(proc, 'net', 'tcp'), HEADER + LISTEN + tcpLine(1, '020013AC:9C41', procNetTcpAddress(OLD)!, '01'));
  const r = await run([OLD], 800);
  expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: 'nginx let go: after 800 ms, 1 nginx worker(s) left from a reload and 1 connection(s) to them\nstopped\n', stderr: '' });
  expect(r.ms).toBeGreaterThanOrEqual(800);
});

test('a proxy that cannot be inspected does not hold the stop', async () => {
  writeFileSync(join(dir, 'broken'), '');
  const r = await run([OLD], 5000);
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: 'nginx let go: the proxy could not be inspected\nstopped\n' });
});
