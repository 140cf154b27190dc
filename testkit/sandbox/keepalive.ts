// What an nginx reload does to clients' kept-alive connections, measured on raw sockets.
//
// `connections` keep-alive connections each get one request answered, then sit idle for `idleMs`
// (longer than a short keepalive_min_timeout); `reload` runs (nginx -s reload) and, `afterMs` later,
// every connection still open sends its next request. Counted per connection:
//   closedAtReload: the server closed it while it was idle, without a word (a client sending at that
//                   instant gets a reset; a client must not re-send a POST)
//   answeredClose:  the next request was answered, with "Connection: close" (the worker retired by
//                   the reload lets the client go cleanly)
//   answeredKeepAlive: answered and kept open (a worker that was not retired)
//   failed:         the next request got no complete answer (reset, closed, timeout)
import net from 'node:net';

export interface ReloadKeepAliveReport {
  connections: number;
  closedAtReload: number;
  answeredClose: number;
  answeredKeepAlive: number;
  failed: number;
}

export interface ReloadKeepAliveOptions {
  host: string;
  port?: number;
  path?: string;
  connections?: number;
  idleMs?: number;
  afterMs?: number;
  timeoutMs?: number;
}

interface Answer {
  status: number;
  close: boolean;
}

/** One HTTP/1.1 connection that reads whole responses (Content-Length bodies) in order. */
class Conn {
  readonly socket: net.Socket;
  closedByServer = false;
  private buf = Buffer.alloc(0);
  private waiting: { resolve: (a: Answer) => void; reject: (e: Error) => void } | undefined;

  constructor(host: string, port: number) {
    this.socket = net.connect(port, host);
    this.socket.on('data', (d) => this.read(d));
    this.socket.on('end', () => {
      this.closedByServer = true;
      this.fail(new Error('closed by the server'));
    });
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => this.fail(new Error('closed')));
  }

  request(host: string, path: string, timeoutMs: number): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      this.waiting = {
        resolve: (a) => (clearTimeout(timer), resolve(a)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      this.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    });
  }

  private read(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const head = this.buf.subarray(0, end).toString('latin1');
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buf.length < end + 4 + length) return;
    this.buf = this.buf.subarray(end + 4 + length);
    const w = this.waiting;
    this.waiting = undefined;
    w.resolve({ status: Number(head.split(' ')[1]), close: /\r\nconnection:\s*close/i.test(head) });
  }

  private fail(e: Error): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(e);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function reloadKeepAlive(reload: () => Promise<unknown>, opts: ReloadKeepAliveOptions): Promise<ReloadKeepAliveReport> {
  const { host, port = 80, path = '/nginx-health', connections = 50, idleMs = 2500, afterMs = 1000, timeoutMs = 5000 } = opts;
  const conns = Array.from({ length: connections }, () => new Conn(host, port));
  try {
    const first = await Promise.allSettled(conns.map((c) => c.request(host, path, timeoutMs)));
    const bad = first.filter((r) => r.status === 'rejected' || r.value.status !== 200 || r.value.close).length;
    if (bad) throw new Error(`reloadKeepAlive: ${bad} of ${connections} first requests were not answered 200 with keep-alive`);
    await sleep(idleMs);
    await reload();
    await sleep(afterMs);
    const report: ReloadKeepAliveReport = { connections, closedAtReload: 0, answeredClose: 0, answeredKeepAlive: 0, failed: 0 };
    await Promise.all(
      conns.map(async (c) => {
        if (c.closedByServer || c.socket.destroyed) return void report.closedAtReload++;
        try {
          const a = await c.request(host, path, timeoutMs);
          if (a.status !== 200) report.failed++;
          else if (a.close) report.answeredClose++;
          else report.answeredKeepAlive++;
        } catch {
          report.failed++;
        }
      }),
    );
    return report;
  } finally {
    for (const c of conns) c.socket.destroy();
  }
}
