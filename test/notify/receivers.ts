// Local HTTP servers standing in for the chat services: they record every request and answer as
// each test scripts them (or never answer, to stand in for an unreachable service).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- payloads are asserted field by field
}

export interface Reply {
  status?: number;
  body?: string | object;
  headers?: Record<string, string>;
}

/** Answers the nth request (1-based) to a route; `hang` never answers; `cut` starts a 200 and drops the connection mid-body. */
export type Responder = (req: Received, n: number) => Reply | 'hang' | 'cut';

export interface Receiver {
  url(path: string): string;
  received: Received[];
  on(prefix: string): Received[];
  close(): Promise<void>;
}

export async function startReceiver(routes: Record<string, Responder>): Promise<Receiver> {
  const received: Received[] = [];
  const counts = new Map<string, number>();
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const r: Received = { path: u.pathname, query: u.searchParams, headers: req.headers, body, json };
      received.push(r);
      const prefix = Object.keys(routes).find((p) => u.pathname.startsWith(p));
      if (!prefix) return void res.writeHead(404).end('no route');
      const n = (counts.get(prefix) ?? 0) + 1;
      counts.set(prefix, n);
      const reply = routes[prefix]!(r, n);
      if (reply === 'hang') return void hanging.push(res);
      if (reply === 'cut') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
        return void res.write('o', () => res.destroy());
      }
      const text = typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
      res.writeHead(reply.status ?? 200, { 'content-type': typeof reply.body === 'object' ? 'application/json' : 'text/plain', ...reply.headers }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    on: (prefix) => received.filter((r) => r.path.startsWith(prefix)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The harness output a person or log could see: the runner consumes `::add-mask::` lines and never shows them. */
export function visibleOutput(everything: string): string {
  return everything
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

/**
 * A port where TCP connections never complete: a listener with a one-slot backlog in a process whose
 * event loop is blocked (so it never accepts), its backlog filled. A request to it is never sent,
 * which is what a firewall that drops packets looks like from here.
 */
export async function startBlackhole(): Promise<{ url(path: string): string; close(): Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const { connect } = await import('node:net');
  const script = `const s=require('node:net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>process.stdout.write(s.address().port+'\\n',()=>Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0)))`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  const fillers = Array.from({ length: 4 }, () => connect(port, '127.0.0.1').on('error', () => {}));
  await new Promise((r) => setTimeout(r, 100));
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    close: async () => {
      for (const f of fillers) f.destroy();
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Vendor answers for the rate limits and special cases each service documents. */
export const ANSWERS = {
  dingtalkThrottled: { body: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } },
  wecomThrottled: { body: { errcode: 45009, errmsg: 'api freq out of limit' } },
  feishuThrottled: { body: { code: 11232, msg: 'frequency limited psm[lark.oapi.app_platform_runtime]', data: {} } },
  feishuBadRequest: { body: { code: 9499, msg: 'Bad Request', data: {} } },
  feishuGateway429: (seconds: number) => ({ status: 429, headers: { 'x-ogw-ratelimit-limit': '100', 'x-ogw-ratelimit-reset': String(seconds) }, body: { code: 99991400, msg: 'request trigger frequency limit' } }),
  telegramFlood: (seconds: number) => ({ status: 429, body: { ok: false, error_code: 429, description: `Too Many Requests: retry after ${seconds}`, parameters: { retry_after: seconds } } }),
  telegramMigrated: (newId: number) => ({
    status: 400,
    body: { ok: false, error_code: 400, description: 'Bad Request: group chat was upgraded to a supergroup chat', parameters: { migrate_to_chat_id: newId } },
  }),
  discord429: (seconds: number, global = false) => ({
    status: 429,
    headers: { 'retry-after': String(Math.ceil(seconds)), 'x-ratelimit-scope': global ? 'global' : 'shared' },
    body: { message: 'You are being rate limited.', retry_after: seconds, global },
  }),
  slack429: (seconds: number) => ({ status: 429, headers: { 'retry-after': String(seconds) }, body: 'rate_limited' }),
  redirect: (status: number, location: string) => ({ status, headers: { location }, body: '' }),
} as const;

/** Each channel's success answer, as the real service gives it, by the path prefix the tests use. */
export const SUCCESS: Record<string, Responder> = {
  '/slack/': () => ({ body: 'ok' }),
  '/dingtalk/': () => ({ body: { errcode: 0, errmsg: 'ok' } }),
  '/wecom/': () => ({ body: { errcode: 0, errmsg: 'ok' } }),
  '/feishu/': () => ({ body: { code: 0, data: {}, msg: 'success' } }),
  '/telegram/': () => ({ body: { ok: true, result: { message_id: 7 } } }),
  '/teams/': () => ({ status: 202 }),
  '/discord/': () => ({ body: { id: '1234567890', type: 0 } }),
  '/webhook/': () => ({ status: 204 }),
};

/** Lines of the log the runner would obey as workflow commands, other than the masks and annotations the action meant. */
export function forgedCommands(stdout: string): string[] {
  return stdout.split(/\r\n|\r|\n/).filter((l) => /^\s*(::|##\[)/.test(l) && !/^::(add-mask|warning|error|notice|debug)( [^:]*)?::/.test(l));
}
