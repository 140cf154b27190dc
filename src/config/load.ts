import { readFile } from 'node:fs/promises';
import { visit, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { UserError, ValidationError, errorMessage, type Problem } from '../errors.js';
import { configSchema, type RawConfig } from './schema.js';
import { hostId } from './hosts.js';
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
  // `merge: true`: `<<: *anchor` from an `x-` key is the usual way to share settings (as in compose files).
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true, merge: true });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  if (doc.errors.length) {
    // One problem per line: the parser often reports the same mistake several ways.
    const problems = new Map<number, Problem>();
    for (const e of doc.errors) {
      const problem = { path: '', message: `YAML syntax error: ${syntaxMessage(e, text)}`, ...at(unclosedOpener(e, text) ?? e.pos[0]) };
      if (!problems.has(problem.line ?? 0)) problems.set(problem.line ?? 0, problem);
    }
    throw new ValidationError(file, [...problems.values()].slice(0, 3));
  }
  const unresolved: Problem[] = [];
  visit(doc, {
    Alias(_, alias) {
      if (!alias.resolve(doc)) unresolved.push({ path: '', message: `YAML syntax error: unknown alias *${alias.source}; define the anchor &${alias.source} before it is used`, ...at(alias.range?.[0]) });
    },
  });
  if (unresolved.length) throw new ValidationError(file, unresolved);
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // An alias that expands without bound (a "billion laughs" file) is refused, not expanded.
    throw new ValidationError(file, [{ path: '', message: `YAML aliases expand too far (${errorMessage(err).toLowerCase()}); write the values out or use fewer nested aliases`, line: 1, column: 1 }]);
  }
  const data: unknown = withoutExtensions(js);
  if (data === null || data === undefined) throw new ValidationError(file, [{ path: '', message: 'the file is empty; expected app, image and environments', line: 1, column: 1 }]);

  const result = configSchema.safeParse(data, { reportInput: true });
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) => describeIssue(issue, [], doc, at));
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw new ValidationError(file, problems);
  }
  return resolveConfig(result.data);
}

/**
 * The parser reports an unclosed quote, `[` or `{` where the file ends; the user needs the line where it
 * was opened: the last line before that holds an odd number of the quote, or more openers than closers.
 */
function unclosedOpener(e: YAMLError, text: string): number | undefined {
  const what = /Missing closing (["'])quote|end with a ([\]}])/.exec(e.message);
  if (!what) return undefined;
  const [open, close] = what[1] ? [what[1], what[1]] : what[2] === ']' ? ['[', ']'] : ['{', '}'];
  let lineEnd = e.pos[0];
  while (lineEnd > 0) {
    const lineStart = text.lastIndexOf('\n', lineEnd - 1) + 1;
    const line = text.slice(lineStart, lineEnd);
    const opens = line.split(open).length - 1;
    const unclosed = open === close ? opens % 2 === 1 : opens > line.split(close).length - 1;
    if (unclosed) return lineStart + line.lastIndexOf(open);
    lineEnd = lineStart - 1;
  }
  return undefined;
}

function syntaxMessage(e: YAMLError, text: string): string {
  switch (e.code) {
    case 'DUPLICATE_KEY': {
      const key = /^[^:\n]*/.exec(text.slice(e.pos[0]))![0].trim();
      return `duplicate key ${JSON.stringify(key)}; each key may appear once in a map`;
    }
    case 'TAB_AS_INDENT':
      return 'tabs are not allowed as indentation; indent with spaces';
    case 'MISSING_CHAR':
    case 'BAD_INDENT':
      if (unclosedOpener(e, text) !== undefined) {
        const close = /Missing closing (["'])quote|end with a ([\]}])/.exec(e.message)!;
        const open = close[1] ?? (close[2] === ']' ? '[' : '{');
        return `${open} opened here is never closed; close it with ${close[1] ?? close[2]}`;
      }
      return firstLine(e.message);
    case 'MULTIPLE_DOCS':
      return 'the file holds more than one YAML document (a "---" line); keep one';
    default:
      return firstLine(e.message);
  }
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

/** Where a problem with a key that is not written (so took its default) is best shown. */
const FALLBACK_KEY: Record<string, string> = { 'web-service': 'services' };

function describeIssue(issue: z.core.$ZodIssue, prefix: PropertyKey[], doc: Document, at: Locate): Problem[] {
  const path = [...prefix, ...issue.path].map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const suggestion = closestKey(key);
      return {
        path: joinPath([...path, key]),
        message: `unknown key${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; keys starting with "x-" are ignored if you need your own`,
        ...at(nodeAt(doc, [...path, key], true)?.range?.[0]),
      };
    });
  }
  if (issue.code === 'invalid_union') {
    // zod reports every branch; when one branch got past its type check, its problems are the real ones.
    const typed = issue.errors.filter((branch) => !(branch.length === 1 && branch[0]!.code === 'invalid_type' && branch[0]!.path.length === 0));
    if (typed.length === 1) return typed[0]!.flatMap((inner) => describeIssue(inner, path, doc, at));
  }
  const input = (issue as { input?: unknown }).input;
  const missing = input === undefined && issue.code === 'invalid_type';
  let message = issue.message;
  if (missing) message = `is required (${message})`;
  else if (!message.includes(' got ') && (input === null || typeof input !== 'object' || issue.code === 'invalid_type' || Array.isArray(input)))
    message = `${message}, got ${describeValue(input)}`;
  let located = nodeAt(doc, path, false);
  const fallback = FALLBACK_KEY[String(path[path.length - 1])];
  if (!located && fallback) located = nodeAt(doc, [...path.slice(0, -1), fallback], false);
  located ??= nearestNode(doc, path);
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

/** The YAML node at a key path (the key node itself when `keyNode`), looking through `<<` merges. */
function nodeAt(doc: Document, path: (string | number)[], keyNode: boolean): YamlNode | undefined {
  let node: unknown = doc.contents;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = findPair(doc, node, String(segment));
      if (!pair) return undefined;
      node = last && keyNode ? pair.key : pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else return undefined;
    if (node === null || node === undefined) return undefined;
  }
  if (isAlias(node) && !keyNode) return node; // the alias is where the value is used: point there
  return node as YamlNode;
}

function findPair(doc: Document, map: unknown, key: string, depth = 0): { key: unknown; value: unknown } | undefined {
  if (!isMap(map) || depth > 10) return undefined;
  const own = map.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
  if (own) return own;
  for (const merge of map.items.filter((p) => isPair(p) && isScalar(p.key) && isMergeKey(p.key.value))) {
    const sources = isSeq(merge.value) ? merge.value.items : [merge.value];
    for (const source of sources) {
      const found = findPair(doc, isAlias(source) ? source.resolve(doc) : source, key, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** With `merge: true` the parser gives `<<` keys a symbol value. */
function isMergeKey(value: unknown): boolean {
  return value === '<<' || (typeof value === 'symbol' && value.description === '<<');
}

function nearestNode(doc: Document, path: (string | number)[]): YamlNode | undefined {
  for (let n = path.length; n >= 0; n--) {
    // A missing key is reported at its map's key; a missing value at its key.
    const key = n > 0 ? nodeAt(doc, path.slice(0, n), true) : undefined;
    if (key && n < path.length) return key;
    const node = nodeAt(doc, path.slice(0, n), false);
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
    const toHost = (h: { host: string; port?: number | undefined; user?: string | undefined }, port: number): Host => ({ id: hostId(h.host, port), host: h.host, port, user: h.user ?? env.ssh.user });
    const hosts = env.hosts.map((h) => toHost(h, h.port ?? env.ssh.port));
    const jump = env.ssh['proxy-jump'];
    environments[name] = {
      name,
      ...(env.url ? { url: env.url } : {}),
      hosts,
      ssh: { user: env.ssh.user, port: env.ssh.port, ...(jump ? { proxyJump: jump.text, jumpHosts: jump.hops.map((h) => toHost(h, h.port ?? 22)) } : {}) },
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
