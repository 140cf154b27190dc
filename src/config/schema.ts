import { z } from 'zod';
import { parseDuration } from './duration.js';
import { HOP_MESSAGE, HOST_MESSAGE, isHostname, parseAddress, parseHostField, parseProxyJump, parseUserField, type Address, type Parsed } from './hosts.js';

// The config file's schema (spec §2). Messages say what is expected; the loader adds the key path,
// the value it got and its position.

/** Docker image name without tag or digest: [registry[:port]/]path, lower case path components. */
const IMAGE = /^(?:[A-Za-z0-9.-]+(?::\d{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const SERVICE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const SAFE_PATH = /^[A-Za-z0-9_./@+-]+$/;

export { isHostname };

const port = z
  .number({ error: 'expected a port number from 1 to 65535' })
  .int({ error: 'expected a port number from 1 to 65535' })
  .min(1, { error: 'expected a port number from 1 to 65535' })
  .max(65535, { error: 'expected a port number from 1 to 65535' });

/** A parser of ./hosts.ts as a zod transform: its message names what is wrong. */
const parsedBy = <T>(parse: (text: string) => Parsed<T>) => (text: string, ctx: z.RefinementCtx): T => {
  const r = parse(text);
  if (r.ok) return r.value;
  ctx.addIssue({ code: 'custom', message: r.message });
  return z.NEVER;
};

const user = z.string({ error: 'expected a user name' }).transform(parsedBy(parseUserField));

export const duration = z
  .string({ error: 'expected a duration like "500ms", "5s" or "2m"' })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected a duration like "500ms", "5s" or "2m"' });
      return z.NEVER;
    }
    return ms;
  });

const hostObject = z.strictObject({
  host: z.string({ error: HOST_MESSAGE }).transform(parsedBy(parseHostField)),
  port: port.optional(),
  user: user.optional(),
});

/** "host", "host:port", "[v6]:port" or {host, port, user} (parsed by ./hosts.ts, like proxy-jump hops). */
const hostEntry = z.union(
  [
    z.string({ error: 'expected "host", "host:port" or {host, port, user}' }).transform(parsedBy((text) => parseAddress(text, { user: false }) as Parsed<Address & { user?: undefined }>)),
    hostObject,
  ],
  { error: 'expected "host", "host:port" or {host, port, user}' },
);

const batchSize = z.union([z.number(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1) return { count: v } as BatchSize;
  if (typeof v === 'string') {
    const m = /^(\d{1,3})%$/.exec(v);
    const pct = m ? Number(m[1]) : NaN;
    if (pct >= 1 && pct <= 100) return { percent: pct } as BatchSize;
  }
  ctx.addIssue({ code: 'custom', message: 'expected a number or a percentage like "50%"' });
  return z.NEVER;
});
export type BatchSize = { count: number } | { percent: number };

const serviceName = z.string({ error: 'expected a compose service name' }).regex(SERVICE, { error: 'expected a compose service name' });

const relativePath = z
  .string({ error: 'expected a relative path' })
  .regex(SAFE_PATH, { error: 'expected a relative path of letters, digits and "._-/@+"' })
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), {
    error: 'expected a path inside app-dir (relative, without "..")',
  });

const environment = z
  .strictObject({
    url: z.url({ error: 'expected an http(s) URL', protocol: /^https?$/ }).optional(),
    hosts: z.array(hostEntry, { error: 'expected a list of hosts' }).min(1, { error: 'expected at least one host' }),
    ssh: z
      .strictObject({
        user: user.default('root'),
        port: port.default(22),
        'proxy-jump': z
          .string({ error: HOP_MESSAGE })
          .transform(parsedBy((text) => {
            const r = parseProxyJump(text);
            return r.ok ? { ok: true as const, value: { text, hops: r.value } } : r;
          }))
          .optional(),
      }, { error: 'expected a map of ssh settings (user, port, proxy-jump)' })
      .prefault({}),
    'app-dir': z
      .string({ error: 'expected an absolute path' })
      .regex(/^\/[A-Za-z0-9_./@+-]*$/, { error: 'expected an absolute path of letters, digits and "._-/@+"' })
      .refine((p) => p !== '/' && !p.split('/').includes('..'), { error: 'expected an absolute path other than "/" without ".."' })
      .transform((p) => p.replace(/\/+$/, '')),
    'compose-file': relativePath.default('docker-compose.yml'),
    services: z.array(serviceName, { error: 'expected a list of compose services' }).min(1, { error: 'expected at least one service' }).default(['web']),
    'web-service': serviceName.default('web'),
    'singleton-services': z.array(serviceName, { error: 'expected a list of compose services' }).default([]),
    'proxy-service': serviceName.default('nginx'),
    'upstream-file': relativePath.default('nginx/conf.d/upstream.conf'),
    'upstream-name': z.string({ error: 'expected an nginx upstream name' }).regex(/^[A-Za-z0-9_-]+$/, { error: 'expected an nginx upstream name of letters, digits, "_" or "-"' }).default('app'),
    strategy: z.enum(['rolling', 'blue-green'], { error: 'expected "rolling" or "blue-green"' }).default('rolling'),
    'batch-size': batchSize.default({ count: 1 }),
    'max-failed-hosts': z.number({ error: 'expected a whole number of hosts (0 or more)' }).int({ error: 'expected a whole number of hosts (0 or more)' }).min(0, { error: 'expected a whole number of hosts (0 or more)' }).default(0),
    health: z
      .strictObject({
        path: z.string({ error: 'expected a URL path starting with "/"' }).regex(/^\/[A-Za-z0-9_.~!$&'()*+,;=:@%/?-]*$/, { error: 'expected a URL path starting with "/"' }).default('/health/'),
        port: port.default(8000),
        'expect-status': z.number({ error: 'expected an HTTP status code' }).int({ error: 'expected an HTTP status code' }).min(100, { error: 'expected an HTTP status code' }).max(599, { error: 'expected an HTTP status code' }).default(200),
        timeout: duration.default(60_000),
        interval: duration.default(1000),
      }, { error: 'expected a map of health check settings (path, port, expect-status, timeout, interval)' })
      .prefault({}),
    drain: duration.default(5000),
    migrate: z
      .strictObject({
        command: z.string({ error: 'expected a command' }).min(1, { error: 'expected a command' }).refine((c) => !/[\0\n\r]/.test(c), { error: 'expected a one-line command' }),
        timeout: duration.default(600_000),
      }, { error: 'expected a map with the migration command, like {command: python manage.py migrate --noinput}' })
      .optional(),
    'keep-releases': z.number({ error: 'expected a whole number of releases, at least 2' }).int({ error: 'expected a whole number of releases, at least 2' }).min(2, { error: 'expected a whole number of releases, at least 2' }).default(5),
    'keep-idle-color': z.enum(['stopped', 'running'], { error: 'expected "stopped" or "running"' }).default('stopped'),
  }, { error: 'expected a map of environment settings (hosts, app-dir, ...)' })
  .superRefine((env, ctx) => {
    const seen = new Map<string, number>();
    env.hosts.forEach((h, i) => {
      const key = `${h.host}:${h.port ?? env.ssh.port}`;
      const first = seen.get(key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['hosts', i], message: `duplicate host: ${key} is already hosts[${first}]` });
      else seen.set(key, i);
    });
    if (!env.services.includes(env['web-service']))
      ctx.addIssue({
        code: 'custom',
        path: ['web-service'],
        message: `"${env['web-service']}" is not one of services (${env.services.join(', ')}); add it to services or set web-service to the service nginx routes to`,
      });
    for (const [i, s] of env['singleton-services'].entries()) {
      if (env.services.includes(s)) ctx.addIssue({ code: 'custom', path: ['singleton-services', i], message: `"${s}" is also in services; a service is either replaced on every host or a singleton` });
      if (s === env['proxy-service']) ctx.addIssue({ code: 'custom', path: ['singleton-services', i], message: 'the proxy service cannot be a singleton' });
    }
    if (env.services.includes(env['proxy-service']))
      ctx.addIssue({ code: 'custom', path: ['proxy-service'], message: 'the proxy service must not run the app image (remove it from services)' });
    if (env.health.interval > env.health.timeout)
      ctx.addIssue({ code: 'custom', path: ['health', 'interval'], message: 'expected an interval no longer than health.timeout' });
  });

export const configSchema = z.strictObject({
  app: z.string({ error: 'expected an app name' }).regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, { error: 'expected lower-case letters, digits and "-" (at most 40, not starting or ending with "-")' }),
  image: z.string({ error: 'expected an image name' }).regex(IMAGE, { error: 'expected an image name without tag, like registry.example.com/acme/web' }),
  registry: z
    .strictObject({
      server: z.string({ error: 'expected a registry host[:port]' }).regex(/^[A-Za-z0-9.-]+(?::\d{1,5})?$/, { error: 'expected a registry host[:port]' }),
      username: z.string({ error: 'expected a user name' }).min(1, { error: 'expected a user name' }).regex(/^[^\s:]+$/, { error: 'expected a user name without spaces or ":"' }),
    }, { error: 'expected a map with server and username' })
    .optional(),
  environments: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected an environment name of letters, digits, "_", "." or "-"' }), environment, { error: 'expected a map of environments' })
    .refine((e) => Object.keys(e).length > 0, { error: 'expected at least one environment' }),
}, { error: 'expected a map with app, image and environments' });

export type RawConfig = z.output<typeof configSchema>;
