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

/** Answers the nth request (1-based) to a route; `hang` never answers. */
export type Responder = (req: Received, n: number) => Reply | 'hang';

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
