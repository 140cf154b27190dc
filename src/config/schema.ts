import { z } from 'zod';
import { formatDuration, parseDuration } from './duration.js';
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

/**
 * A duration bounded at parse time: Node's timers turn anything above 2^31-1 ms into 1 ms, so an
 * unbounded `drain: 600h` would drain for 1 ms. Every duration key names its own range.
 */
export function duration(minMs: number, maxMs: number) {
  const range = `from ${formatDuration(minMs)} to ${formatDuration(maxMs)}`;
  return z.string({ error: 'expected a duration like "500ms", "5s" or "2m"' }).transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected a duration like "500ms", "5s" or "2m"' });
      return z.NEVER;
    }
    if (!(ms >= minMs && ms <= maxMs)) {
      ctx.addIssue({ code: 'custom', message: `expected a duration ${range}` });
      return z.NEVER;
    }
    return ms;
  });
}

/** The allowed range of each duration key (also shown in the errors). */
export const DURATION_RANGES = {
  'health.timeout': [1000, 3_600_000],
  'health.interval': [100, 60_000],
  drain: [0, 3_600_000],
  'migrate.timeout': [1000, 86_400_000],
  'hooks.timeout': [1000, 86_400_000],
} as const satisfies Record<string, readonly [number, number]>;

/** A whole number within a range; the message names the range. */
function wholeNumber(what: string, min: number, max: number) {
  const error = `expected a whole number of ${what} from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** A string that is passed as an argument to docker, compose or ssh must never read as an option. */
const notAnOption = (s: string) => !s.startsWith('-');

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

export const MAX_HOSTS = 1000;

const batchSize = z.union([z.number(), z.string()], { error: 'expected a number or a percentage like "50%"' }).transform((v, ctx) => {
  if (typeof v === 'number' && Number.isInteger(v) && v > MAX_HOSTS) {
    ctx.addIssue({ code: 'custom', message: `expected a number of hosts from 1 to ${MAX_HOSTS} or a percentage like "50%"` });
    return z.NEVER;
  }
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

const serviceName = z.string({ error: 'expected a compose service name' }).max(255, { error: 'expected a compose service name of at most 255 characters' }).regex(SERVICE, { error: 'expected a compose service name' });

const MAX_PATH = 1024;

const relativePath = z
  .string({ error: 'expected a relative path' })
  .max(MAX_PATH, { error: `expected a relative path of at most ${MAX_PATH} characters` })
  .regex(SAFE_PATH, { error: 'expected a relative path of letters, digits and "._-/@+"' })
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), {
    error: 'expected a path inside app-dir (relative, without "..")',
  })
  .refine((p) => p.split('/').every((part) => part !== '' && part !== '.' && notAnOption(part)), {
    error: 'expected a plain relative path: no empty or "." parts, no part starting with "-"',
  });

/** An absolute directory other than "/" itself, written plainly (`//` and `/.` are "/" too). */
const appDir = z
  .string({ error: 'expected an absolute path' })
  .max(MAX_PATH, { error: `expected an absolute path of at most ${MAX_PATH} characters` })
  .regex(/^\/[A-Za-z0-9_./@+-]*$/, { error: 'expected an absolute path of letters, digits and "._-/@+"' })
  .refine((p) => p !== '/' && !p.split('/').includes('..'), { error: 'expected an absolute path other than "/" without ".."' })
  .refine((p) => { const parts = p.replace(/\/+$/, '').split('/').slice(1); return parts.length > 0 && parts.every((part) => part !== '' && part !== '.' && notAnOption(part)); }, {
    error: 'expected an absolute path below "/" (like /opt/parking) without empty or "." parts, no part starting with "-"',
  })
  .transform((p) => p.replace(/\/+$/, ''));

/** An environment variable name (what a shell and compose both accept). */
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
/** Names parking-ci sets for hooks: the app's environment may not shadow them. */
export const RESERVED_ENV_PREFIX = 'PARKING_CI_';

export function envNameProblem(name: string): string | undefined {
  if (!ENV_NAME.test(name)) return 'expected a variable name of upper-case letters, digits and "_", not starting with a digit (like SECRET_KEY)';
  if (name.startsWith(RESERVED_ENV_PREFIX)) return `names starting ${RESERVED_ENV_PREFIX} are set by parking-ci for hooks; choose another name`;
  return undefined;
}

const envName = z.string({ error: 'expected a variable name' }).superRefine((name, ctx) => {
  const problem = envNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A clear value: one line (compose env files hold a variable per line), no NUL. */
const clearValue = z
  .union([z.string(), z.number(), z.boolean()], { error: 'expected a value (a string, number or true/false)' })
  .transform((v) => String(v))
  .refine((v) => !/[\0\n\r]/.test(v), { error: 'expected a one-line value without NUL (a value with line breaks belongs in a secret)' });

const HOOK_NAMES = ['pre-deploy', 'pre-migrate', 'post-deploy', 'post-rollback'] as const;
const oneLineCommand = z.string({ error: 'expected a command' }).min(1, { error: 'expected a command' }).refine((c) => !/[\0\n\r]/.test(c), { error: 'expected a one-line command' });
/** `command` or {command, in: image|host, timeout}: a one-off container of the release's image by default. */
const hook = z.union(
  [
    oneLineCommand.transform((command) => ({ command, in: 'image' as const, timeout: 600_000 })),
    z.strictObject({
      command: oneLineCommand,
      in: z.enum(['image', 'host'], { error: 'expected "image" (a one-off container of the release) or "host" (a shell on the primary host)' }).default('image'),
      timeout: duration(...DURATION_RANGES['hooks.timeout']).default(600_000),
    }, { error: 'expected a command or {command, in, timeout}' }),
  ],
  { error: 'expected a command or {command, in: image|host, timeout}' },
);

const environment = z
  .strictObject({
    url: z.url({ error: 'expected an http(s) URL', protocol: /^https?$/ }).max(2048, { error: 'expected an http(s) URL of at most 2048 characters' }).optional(),
    hosts: z.array(hostEntry, { error: 'expected a list of hosts' }).min(1, { error: 'expected at least one host' }).max(MAX_HOSTS, { error: `expected at most ${MAX_HOSTS} hosts` }),
    ssh: z
      .strictObject({
        user: user.default('root'),
        port: port.default(22),
        'proxy-jump': z
          .string({ error: HOP_MESSAGE })
          .max(MAX_PATH, { error: `expected at most ${MAX_PATH} characters` })
          .transform(parsedBy((text) => {
            const r = parseProxyJump(text);
            return r.ok ? { ok: true as const, value: { text, hops: r.value } } : r;
          }))
          .optional(),
      }, { error: 'expected a map of ssh settings (user, port, proxy-jump)' })
      .prefault({}),
    'app-dir': appDir,
    'compose-file': relativePath.default('docker-compose.yml'),
    services: z.array(serviceName, { error: 'expected a list of compose services' }).min(1, { error: 'expected at least one service' }).max(100, { error: 'expected at most 100 services' }).default(['web']),
    'web-service': serviceName.default('web'),
    'singleton-services': z.array(serviceName, { error: 'expected a list of compose services' }).max(100, { error: 'expected at most 100 services' }).default([]),
    'proxy-service': serviceName.default('nginx'),
    'upstream-file': relativePath.default('nginx/conf.d/upstream.conf'),
    'upstream-name': z.string({ error: 'expected an nginx upstream name' }).regex(/^[A-Za-z0-9_][A-Za-z0-9_-]{0,127}$/, { error: 'expected an nginx upstream name of letters, digits, "_" or "-" (at most 128, not starting with "-")' }).default('app'),
    strategy: z.enum(['rolling', 'blue-green'], { error: 'expected "rolling" or "blue-green"' }).default('rolling'),
    'batch-size': batchSize.default({ count: 1 }),
    'max-failed-hosts': wholeNumber('hosts', 0, MAX_HOSTS).default(0),
    health: z
      .strictObject({
        path: z.string({ error: 'expected a URL path starting with "/"' }).max(MAX_PATH, { error: `expected a URL path of at most ${MAX_PATH} characters` }).regex(/^\/[A-Za-z0-9_.~!$&'()*+,;=:@%/?-]*$/, { error: 'expected a URL path starting with "/"' }).default('/health/'),
        port: port.default(8000),
        'expect-status': z.number({ error: 'expected an HTTP status code' }).int({ error: 'expected an HTTP status code' }).min(100, { error: 'expected an HTTP status code' }).max(599, { error: 'expected an HTTP status code' }).default(200),
        timeout: duration(...DURATION_RANGES['health.timeout']).default(60_000),
        interval: duration(...DURATION_RANGES['health.interval']).default(1000),
        'failure-threshold': wholeNumber('answers', 1, 1000).default(3),
      }, { error: 'expected a map of health check settings (path, port, expect-status, timeout, interval, failure-threshold)' })
      .prefault({}),
    drain: duration(...DURATION_RANGES.drain).default(5000),
    migrate: z
      .strictObject({
        command: z
          .string({ error: 'expected a command' })
          .min(1, { error: 'expected a command' })
          .max(4096, { error: 'expected a command of at most 4096 characters' })
          .refine((c) => !/[\n\r\u2028\u2029]/.test(c), { error: 'expected a one-line command' })
          .refine((c) => !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(c), { error: 'expected a one-line command without control characters' })
          .refine((c) => c.trim() !== '' && notAnOption(c.trim()), { error: 'expected a command, not an option (it must not start with "-")' }),
        timeout: duration(...DURATION_RANGES['migrate.timeout']).default(600_000),
      }, { error: 'expected a map with the migration command, like {command: python manage.py migrate --noinput}' })
      .optional(),
    'keep-releases': wholeNumber('releases', 2, 100).default(5),
    'keep-idle-color': z.enum(['stopped', 'running'], { error: 'expected "stopped" or "running"' }).default('stopped'),
    env: z
      .strictObject({
        clear: z
          .unknown()
          // zod drops a `__proto__` key without a word: it is refused here
          .superRefine((v, ctx) => {
            if (v && typeof v === 'object' && Object.hasOwn(v, '__proto__')) ctx.addIssue({ code: 'custom', path: ['__proto__'], message: envNameProblem('__proto__')! });
          })
          .pipe(z.record(envName, clearValue, { error: 'expected a map of NAME: value' }))
          .default({}),
        secret: z.array(envName, { error: 'expected a list of secret names (their values come from the `secrets` input)' }).default([]),
      }, { error: 'expected a map with clear (NAME: value) and secret (a list of names)' })
      .optional(),
    hooks: z
      .strictObject(Object.fromEntries(HOOK_NAMES.map((n) => [n, hook.optional()])) as Record<(typeof HOOK_NAMES)[number], z.ZodOptional<typeof hook>>, {
        error: 'expected a map of hooks (pre-deploy, pre-migrate, post-deploy, post-rollback)',
      })
      .optional(),
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
    if (env.env) {
      const clear = new Set(Object.keys(env.env.clear));
      const seenSecret = new Set<string>();
      env.env.secret.forEach((name, i) => {
        if (clear.has(name)) ctx.addIssue({ code: 'custom', path: ['env', 'secret', i], message: `${name} is also under env.clear; a variable is either clear or secret` });
        if (seenSecret.has(name)) ctx.addIssue({ code: 'custom', path: ['env', 'secret', i], message: `${name} is listed twice` });
        seenSecret.add(name);
      });
    }
    if (env.hooks?.['pre-migrate'] && !env.migrate)
      ctx.addIssue({ code: 'custom', path: ['hooks', 'pre-migrate'], message: 'a pre-migrate hook runs right before the migration; add migrate.command or make it a pre-deploy hook' });
    if (env.health.interval > env.health.timeout)
      ctx.addIssue({ code: 'custom', path: ['health', 'interval'], message: 'expected an interval no longer than health.timeout' });
  });

/** Environment names become GitHub environments, lock owners and log lines: plain words only. */
export const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const ENVIRONMENT_NAME_RULE = 'expected an environment name of letters, digits, "_", "." or "-" (at most 100, starting with a letter or digit)';

export const configSchema = z.strictObject({
  app: z.string({ error: 'expected an app name' }).regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, { error: 'expected lower-case letters, digits and "-" (at most 40, not starting or ending with "-")' }),
  image: z
    .string({ error: 'expected an image name' })
    .max(255, { error: 'expected an image name of at most 255 characters' })
    .regex(IMAGE, { error: 'expected an image name without tag, like registry.example.com/acme/web' })
    .refine(notAnOption, { error: 'expected an image name without tag, like registry.example.com/acme/web (not starting with "-")' }),
  registry: z
    .strictObject({
      server: z
        .string({ error: 'expected a registry host[:port]' })
        .max(260, { error: 'expected a registry host[:port]' })
        .refine((s) => { const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(s); return !!m && isHostname(m[1]!) && (!m[2] || (+m[2] >= 1 && +m[2] <= 65535)); }, { error: 'expected a registry host[:port] (a host name or IP address, not starting with "-")' }),
      username: z
        .string({ error: 'expected a user name' })
        .min(1, { error: 'expected a user name' })
        .max(256, { error: 'expected a user name of at most 256 characters' })
        .regex(/^[^\s:\0-\x1f\x7f]+$/, { error: 'expected a user name without spaces, control characters or ":"' })
        .refine(notAnOption, { error: 'expected a user name, not an option (it must not start with "-")' }),
    }, { error: 'expected a map with server and username' })
    .optional(),
  environments: z
    .record(z.string().regex(ENVIRONMENT_NAME, { error: ENVIRONMENT_NAME_RULE }), environment, { error: 'expected a map of environments' })
    .refine((e) => Object.keys(e).length > 0, { error: 'expected at least one environment' })
    .refine((e) => Object.keys(e).length <= 100, { error: 'expected at most 100 environments' }),
}, { error: 'expected a map with app, image and environments' });

export type RawConfig = z.output<typeof configSchema>;
