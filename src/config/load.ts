import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { UserError, ValidationError, type Problem } from '../errors.js';
import { configSchema, type RawConfig } from './schema.js';
import type { Config, Environment, Host } from './types.js';

export const DEFAULT_CONFIG_PATH = '.github/parking-ci.yml';

/** Reads and validates the config file; throws ValidationError listing every problem with its position. */
export async function loadConfig(path: string, displayPath = path): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `${displayPath}: config file not found; create it (see the README's quick start) or set the \`config\` input`
        : `${displayPath}: cannot read the config file (${code ?? String(err)})`,
    );
  }
  return parseConfig(text, displayPath);
}

export function parseConfig(text: string, file: string): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  const syntax = [...doc.errors];
  if (syntax.length) {
    throw new ValidationError(
      file,
      syntax.slice(0, 3).map((e) => ({ path: '', message: `YAML syntax error: ${firstLine(e.message)}`, ...at(e.pos[0]) })),
    );
  }
  const data: unknown = withoutExtensions(doc.toJS({ maxAliasCount: 100 }));
  if (data === null || data === undefined) throw new ValidationError(file, [{ path: '', message: 'the file is empty; expected app, image and environments', line: 1, column: 1 }]);

  const result = configSchema.safeParse(data, { reportInput: true });
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) => describeIssue(issue, doc.contents, at));
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw new ValidationError(file, problems);
  }
  return resolveConfig(result.data);
}

/** Keys starting with `x-` are for the user's own anchors and notes: dropped before validation. */
function withoutExtensions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutExtensions);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !k.startsWith('x-'))
        .map(([k, v]) => [k, withoutExtensions(v)]),
    );
  }
  return value;
}

type Locate = (offset: number | undefined) => { line?: number; column?: number };

function describeIssue(issue: z.core.$ZodIssue, root: unknown, at: Locate): Problem[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const suggestion = closestKey(key);
      return {
        path: joinPath([...path, key]),
        message: `unknown key${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; keys starting with "x-" are ignored if you need your own`,
        ...at(nodeAt(root, [...path, key], true)?.range?.[0]),
      };
    });
  }
  const node = nodeAt(root, path, false);
  const input = (issue as { input?: unknown }).input;
  const missing = input === undefined && issue.code === 'invalid_type';
  let message = issue.message;
  if (issue.code === 'invalid_union' && issue.errors.length) {
    // zod reports every branch; the branch that got past the type check says most.
    const specific = issue.errors.flat().find((e) => e.code !== 'invalid_type');
    if (specific && !/^expected/.test(issue.message)) message = specific.message;
  }
  if (missing) message = `is required (${message})`;
  else if (!message.includes(' got ') && (typeof input !== 'object' || issue.code === 'invalid_type' || Array.isArray(input)))
    message = `${message}, got ${describeValue(input)}`;
  const located = node ?? nearestNode(root, path);
  return [{ path: joinPath(path), message, ...at(located?.range?.[0]) }];
}

function describeValue(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return value.length ? 'a list' : 'an empty list';
  if (typeof value === 'object') return 'a map';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}

function joinPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');
}

/** The YAML node at a key path (the key node itself when `keyNode`). */
function nodeAt(root: unknown, path: (string | number)[], keyNode: boolean): YamlNode | undefined {
  let node: unknown = root;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) return undefined;
      node = last && keyNode ? pair.key : pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else return undefined;
    if (node === null || node === undefined) return undefined;
  }
  return node as YamlNode;
}

function nearestNode(root: unknown, path: (string | number)[]): YamlNode | undefined {
  for (let n = path.length; n >= 0; n--) {
    // A missing key is reported at its map's first key; a missing value at its key.
    const key = n > 0 ? nodeAt(root, path.slice(0, n), true) : undefined;
    if (key && n < path.length) return key;
    const node = nodeAt(root, path.slice(0, n), false);
    if (node) return node;
  }
  return undefined;
}

const KNOWN_KEYS = [
  'app', 'image', 'registry', 'server', 'username', 'environments', 'url', 'hosts', 'host', 'port', 'user', 'ssh',
  'proxy-jump', 'app-dir', 'compose-file', 'services', 'web-service', 'singleton-services', 'proxy-service',
  'upstream-file', 'upstream-name', 'strategy', 'batch-size', 'max-failed-hosts', 'health', 'path', 'expect-status',
  'timeout', 'interval', 'drain', 'migrate', 'command', 'keep-releases', 'keep-idle-color',
];

function closestKey(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const known of KNOWN_KEYS) {
    const d = editDistance(key.toLowerCase().replace(/_/g, '-'), known);
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function resolveConfig(raw: RawConfig): Config {
  const environments: Record<string, Environment> = {};
  for (const [name, env] of Object.entries(raw.environments)) {
    const hosts: Host[] = env.hosts.map((h) => {
      const port = h.port ?? env.ssh.port;
      return { id: port === 22 ? h.host : `${h.host}:${port}`, host: h.host, port, user: h.user ?? env.ssh.user };
    });
    environments[name] = {
      name,
      ...(env.url ? { url: env.url } : {}),
      hosts,
      ssh: { user: env.ssh.user, port: env.ssh.port, ...(env.ssh['proxy-jump'] ? { proxyJump: env.ssh['proxy-jump'] } : {}) },
      appDir: env['app-dir'],
      composeFile: env['compose-file'],
      services: env.services,
      webService: env['web-service'],
      singletonServices: env['singleton-services'],
      proxyService: env['proxy-service'],
      upstreamFile: env['upstream-file'],
      upstreamName: env['upstream-name'],
      strategy: env.strategy,
      batchSize: env['batch-size'],
      maxFailedHosts: env['max-failed-hosts'],
      health: {
        path: env.health.path,
        port: env.health.port,
        expectStatus: env.health['expect-status'],
        timeoutMs: env.health.timeout,
        intervalMs: env.health.interval,
      },
      drainMs: env.drain,
      ...(env.migrate ? { migrate: { command: env.migrate.command, timeoutMs: env.migrate.timeout } } : {}),
      keepReleases: env['keep-releases'],
      keepIdleColor: env['keep-idle-color'],
    };
  }
  return { app: raw.app, image: raw.image, ...(raw.registry ? { registry: raw.registry } : {}), environments };
}

/** Picks an environment, with an error that lists the ones there are. */
export function selectEnvironment(config: Config, name: string, file: string): Environment {
  const env = config.environments[name];
  if (!env) {
    throw new UserError(
      `${file}: no environment "${name}"; the config has ${Object.keys(config.environments).map((n) => `"${n}"`).join(', ')}`,
    );
  }
  return env;
}
