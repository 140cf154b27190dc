import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { visit, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { UserError, ValidationError, errorMessage, quoted, type Problem } from '../errors.js';
import { configSchema, ENVIRONMENT_NAME, type RawConfig } from './schema.js';
import { hostId } from './hosts.js';
import type { Config, Environment, Host } from './types.js';

export const DEFAULT_CONFIG_PATH = '.github/parking-ci.yml';
/** A config file is a few kilobytes; anything this large is not one (and is never read whole). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** A config needs a handful of levels; a file nested deeper than this is refused before it is walked. */
export const MAX_CONFIG_DEPTH = 32;

/** Characters that have no place in a path or a log line: controls, line and paragraph separators, bidi overrides. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Reads and validates the config file; throws ValidationError listing every problem with its position.
 * The file must be a regular file inside the workspace (the `config` input names it): a path or a
 * symbolic link that leads out of the workspace, a device, a FIFO or a huge file is refused, and
 * nothing of such a file is ever echoed.
 */
export async function loadConfig(path: string, displayPath = path, workspace = process.env.GITHUB_WORKSPACE ?? process.cwd()): Promise<Config> {
  const shown = quoted(displayPath, 200);
  const refuse = (why: string) => new UserError(`input "config": ${shown} ${why}`);
  if (UNPRINTABLE.test(displayPath) || UNPRINTABLE.test(path)) throw new UserError(`input "config": ${shown} holds a control or invisible character; name the file plainly, like ${DEFAULT_CONFIG_PATH}`);
  if (path.length > 4096) throw new UserError('input "config": the path is longer than 4096 characters; name the config file relative to the repository root');
  const root = resolve(workspace);
  const absolute = resolve(root, path);
  if (!isInside(root, absolute)) throw refuse(`is outside the workspace (${root}); give a path inside the repository, like ${DEFAULT_CONFIG_PATH}`);

  let real: string;
  try {
    real = await realpath(absolute);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new UserError(`${displayPath}: config file not found; create it (see the README's quick start) or set the \`config\` input`);
    if (code === 'ELOOP') throw refuse('is a loop of symbolic links; point the `config` input at the file itself');
    throw new UserError(`${displayPath}: cannot read the config file (${code ?? errorMessage(err)})`);
  }
  // A symbolic link may point elsewhere in the workspace, never out of it.
  if (!isInside(await realpath(root).catch(() => root), real)) throw refuse('leads out of the workspace through a symbolic link; the config must be a file in the repository');

  let bytes: Buffer;
  // O_NOFOLLOW: the checked path cannot be swapped for a link; O_NONBLOCK: opening a FIFO does not wait for a writer.
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`${displayPath}: cannot read the config file (${err.code ?? errorMessage(err)})`);
  });
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw refuse(`is a directory; name the config file in it, like ${DEFAULT_CONFIG_PATH}`);
    if (!stat.isFile()) throw refuse('is not a regular file (a device, FIFO or socket); the config must be a YAML file in the repository');
    if (stat.size > MAX_CONFIG_BYTES) throw refuse(`is ${stat.size} bytes; a config file is at most ${MAX_CONFIG_BYTES} bytes (is it the right file?)`);
    bytes = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < bytes.length; length += n) n = (await handle.read(bytes, length, bytes.length - length, length)).bytesRead;
    if (length > MAX_CONFIG_BYTES) throw refuse(`is larger than ${MAX_CONFIG_BYTES} bytes; a config file is smaller (is it the right file?)`);
    bytes = bytes.subarray(0, length);
  } finally {
    await handle.close();
  }
  return parseConfig(decodeText(bytes, displayPath), displayPath);
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** UTF-8 text, or a problem at the first byte that is not (without showing any of the file). */
function decodeText(bytes: Buffer, file: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    throw new ValidationError(file, [{ path: '', message: 'the file is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8', line: 1, column: 1 }]);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const lossy = bytes.toString('utf8');
    const at = positionOf(lossy, lossy.indexOf('\ufffd'));
    throw new ValidationError(file, [{ path: '', message: 'the file is not UTF-8 text (a byte here is not valid UTF-8); save it as UTF-8', ...at }]);
  }
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/** A YAML config is printable text: NUL and other control characters mean it is some other kind of file. */
function unprintableProblem(text: string): Problem | undefined {
  const m = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(text);
  if (!m) return undefined;
  const code = `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return { path: '', message: `the file holds a control character (${code}), so it is not a YAML text file; check that the \`config\` input names the config`, ...positionOf(text, m.index) };
}

export function parseConfig(text: string, file: string): Config {
  if (text.length > MAX_CONFIG_BYTES)
    throw new ValidationError(file, [{ path: '', message: `the file is larger than ${MAX_CONFIG_BYTES} bytes; a config file is a few kilobytes`, line: 1, column: 1 }]);
  const binary = unprintableProblem(text);
  if (binary) throw new ValidationError(file, [binary]);
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
  const structural = [...tooDeep(doc, at), ...circularAliases(doc, at), ...badMerges(doc, at), ...badKeys(doc, at), ...unknownTags(doc, at)];
  if (structural.length) throw new ValidationError(file, structural);
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const message = errorMessage(err);
    // An alias that expands without bound (a "billion laughs" file) is refused, not expanded.
    if (/alias/i.test(message))
      throw new ValidationError(file, [{ path: '', message: `YAML aliases expand too far (${message.toLowerCase()}); write the values out or use fewer nested aliases`, line: 1, column: 1 }]);
    throw new ValidationError(file, [{ path: '', message: `the YAML cannot be read (${firstLine(message)}); check the anchors, aliases and "<<" merges`, line: 1, column: 1 }]);
  }
  if (js !== null && js !== undefined && (typeof js !== 'object' || Array.isArray(js))) {
    // Never echo the value: a file that is not a map is not a config, and may be anything (a secret, say).
    const what = Array.isArray(js) ? 'a list' : typeof js === 'string' ? 'a line of text' : `a ${typeof js}`;
    throw new ValidationError(file, [{ path: '', message: `expected a map with app, image and environments, got ${what}`, line: 1, column: 1 }]);
  }
  const reserved: (string | number)[][] = [];
  const data: unknown = withoutExtensions(js, [], reserved);
  if (data === null || data === undefined) throw new ValidationError(file, [{ path: '', message: 'the file is empty; expected app, image and environments', line: 1, column: 1 }]);

  const reservedProblems = reserved.map((path) => ({
    path: joinPath(path),
    message: 'the key "__proto__" is reserved (it cannot be read safely); rename it',
    ...at(nodeAt(doc, path, true)?.range?.[0]),
  }));
  const result = configSchema.safeParse(data, { reportInput: true });
  if (!result.success || reservedProblems.length) {
    const taken = new Set(reservedProblems.map((p) => p.path));
    const seen = new Set<string>();
    const problems = [...reservedProblems, ...(result.error?.issues ?? []).flatMap((issue) => describeIssue(issue, [], doc, at)).filter((p) => !taken.has(p.path))].filter((p) => {
      const key = JSON.stringify(p);
      return !seen.has(key) && !!seen.add(key);
    });
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw new ValidationError(file, problems);
  }
  return resolveConfig(result.data!);
}

/** Collections nested deeper than MAX_CONFIG_DEPTH, found without recursion (so any depth is safe to check). */
function tooDeep(doc: Document, at: Locate): Problem[] {
  const stack: [unknown, number][] = [[doc.contents, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > MAX_CONFIG_DEPTH)
      return [{ path: '', message: `the YAML nests deeper than ${MAX_CONFIG_DEPTH} levels; a config needs a few (app > environments > name > health > key), so flatten it`, ...at(node.range?.[0]) }];
    for (const item of node.items as unknown[]) {
      if (isPair(item)) stack.push([item.key, depth + 1], [item.value, depth + 1]);
      else stack.push([item, depth + 1]);
    }
  }
  return [];
}

/** An alias inside the very collection its anchor marks (`&s [web, *s]`) would expand forever. */
function circularAliases(doc: Document, at: Locate): Problem[] {
  const problems: Problem[] = [];
  visit(doc, {
    Alias(_, alias, path) {
      const target = alias.resolve(doc);
      if (target && path.includes(target as never))
        problems.push({ path: '', message: `YAML alias *${alias.source} is used inside the value its anchor &${alias.source} marks, so it never ends; use the alias outside that value`, ...at(alias.range?.[0]) });
    },
  });
  return problems;
}

/** A key is a plain word; a map or list used as a key (`? {a: 1}`) would be stringified into nonsense. */
function badKeys(doc: Document, at: Locate): Problem[] {
  const problems: Problem[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key) && !isAlias(pair.key))
        problems.push({ path: '', message: 'a key must be plain text, not a map or a list; write it as a word followed by ":"', ...at((pair.key as YamlNode).range?.[0]) });
    },
  });
  return problems;
}

/** Tags we do not know (`!!python/object`, `!Ref`) would be read as plain text: say so instead. */
function unknownTags(doc: Document, at: Locate): Problem[] {
  return doc.warnings
    .filter((w) => w.code === 'TAG_RESOLVE_FAILED')
    .map((w) => ({ path: '', message: `YAML syntax error: ${firstLine(w.message)}; a config uses no tags, so remove it`, ...at(w.pos[0]) }));
}

/** `<<` merges maps only; a scalar or list of scalars there is the user's mistake, shown where it is written. */
function badMerges(doc: Document, at: Locate): Problem[] {
  const problems: Problem[] = [];
  const isMapSource = (n: unknown): boolean => isMap(n) || (isAlias(n) && isMap(n.resolve(doc)));
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || !isMergeKey(pair.key.value)) return;
      const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
      const bad = sources.find((source) => !isMapSource(source));
      if (bad !== undefined)
        problems.push({
          path: '',
          message: '"<<" merges a map into this one, but its value is not a map; write "<<: *name" where "&name" marks a map (or a list of such aliases)',
          ...at((bad as YamlNode | null)?.range?.[0] ?? (pair.key as YamlNode).range?.[0]),
        });
    },
  });
  return problems;
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
      return `duplicate key ${quoted(key)}; each key may appear once in a map`;
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
    case 'RESOURCE_EXHAUSTION':
      return 'the file nests too deeply or is too large to read; a config needs a few levels, so flatten it';
    case 'BAD_SCALAR_START':
      return `${firstLine(e.message)}; put the value in quotes`;
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
    case 'UNEXPECTED_TOKEN':
      return `${firstLine(e.message)}; check the indentation and the ":" after each key on this line`;
    case 'BAD_DQ_ESCAPE':
      return `${firstLine(e.message)}; write a backslash as "\\\\" or use single quotes`;
    default:
      return `${firstLine(e.message)}; check the indentation and quoting on this line`;
  }
}

/**
 * Keys starting with `x-` are for the user's own anchors and notes: dropped before validation. Maps
 * come out with no prototype (a key like `constructor` is only ever the user's), and the paths of
 * `__proto__` keys are gathered so they are reported, not silently lost.
 */
function withoutExtensions(value: unknown, path: (string | number)[], reserved: (string | number)[][]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => withoutExtensions(v, [...path, i], reserved));
  // Only maps: binary data (`!!binary`), sets and ordered maps stay as they are, for the schema to refuse.
  if (value && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k.startsWith('x-')) continue;
      if (k === '__proto__') {
        reserved.push([...path, k]);
        continue;
      }
      out[k] = withoutExtensions(v, [...path, k], reserved);
    }
    return out;
  }
  return value;
}

type Locate = (offset: number | undefined) => { line?: number; column?: number };

/** Where a problem with a key that is not written (so took its default) is best shown. */
const FALLBACK_KEY = new Map([['web-service', 'services']]);

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
  if (issue.code === 'invalid_key') {
    // a map key that is not allowed: its own message, at the key
    const key = path[path.length - 1]!;
    return [{ path: joinPath(path), message: `${issue.issues[0]?.message ?? issue.message}, got ${describeValue(key)}`, ...at(nodeAt(doc, path, true)?.range?.[0]) }];
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
  const fallback = FALLBACK_KEY.get(String(path[path.length - 1]));
  if (!located && fallback) located = nodeAt(doc, [...path.slice(0, -1), fallback], false);
  located ??= nearestNode(doc, path);
  return [{ path: joinPath(path), message, ...at(located?.range?.[0]) }];
}

function describeValue(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return value.length ? 'a list' : 'an empty list';
  if (value instanceof Uint8Array) return 'binary data';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? '.nan (not a number)' : value > 0 ? '.inf (infinity)' : '-.inf (minus infinity)';
  return typeof value === 'string' ? quoted(value) : JSON.stringify(value);
}

/** `environments.production.hosts[0]`; a key that is not a plain word is shown quoted (`["a b"]`). */
function joinPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : !/^[A-Za-z0-9_.@/-]+$/.test(p) ? `[${quoted(p)}]` : i ? `.${p}` : p)).join('');
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
  'timeout', 'interval', 'failure-threshold', 'drain', 'migrate', 'command', 'keep-releases', 'keep-idle-color', 'env', 'clear', 'secret',
  'hooks', 'pre-deploy', 'pre-migrate', 'post-deploy', 'post-rollback', 'in',
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
  // No prototype: `environments[name]` is an environment of that name or undefined, whatever the name.
  const environments = Object.create(null) as Record<string, Environment>;
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
        failureThreshold: env.health['failure-threshold'],
      },
      drainMs: env.drain,
      ...(env.migrate ? { migrate: { command: env.migrate.command, timeoutMs: env.migrate.timeout } } : {}),
      keepReleases: env['keep-releases'],
      keepIdleColor: env['keep-idle-color'],
      // a null-prototype map: a variable named like an Object property stays a plain entry
      env: { clear: Object.assign(Object.create(null) as Record<string, string>, env.env?.clear ?? {}), secret: env.env?.secret ?? [] },
      hooks: Object.fromEntries(Object.entries(env.hooks ?? {}).flatMap(([name, h]) => (h ? [[name, { command: h.command, in: h.in, timeoutMs: h.timeout }]] : []))),
    };
  }
  return { app: raw.app, image: raw.image, ...(raw.registry ? { registry: raw.registry } : {}), environments };
}

/** Picks an environment, with an error that lists the ones there are. */
export function selectEnvironment(config: Config, name: string, file: string): Environment {
  const env = Object.hasOwn(config.environments, name) ? config.environments[name] : undefined;
  if (!env) {
    const shown = ENVIRONMENT_NAME.test(name) ? `"${name}"` : quoted(name);
    throw new UserError(`${file}: no environment ${shown}; the config has ${Object.keys(config.environments).map((n) => `"${n}"`).join(', ')}`);
  }
  return env;
}
