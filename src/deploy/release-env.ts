import { createHash } from 'node:crypto';
import type { Environment } from '../config/types.js';
import { UserError } from '../errors.js';

/** Longer values are refused: the kernel limits one environment string to 128 KiB, and a hook gets a few more. */
export const MAX_SECRET_BYTES = 64 * 1024;

/** The environment of one release, as written to each host: compose env-file text and its hash. */
export interface ReleaseEnv {
  content: string;
  /** sha256 of `content` (hex); the file holds a random line, so the hash tells nothing about the values. */
  sha256: string;
  clear: string[];
  secret: string[];
}

/**
 * The `secrets` input: a JSON object (`${{ toJSON(secrets) }}`) or `NAME=value` lines. Errors name the
 * line or the key, never a value. A null-prototype map: `__proto__` is just a name.
 */
export function parseSecretsInput(text: string): Map<string, string> {
  const values = new Map<string, string>();
  if (!text.trim()) return values;
  if (text.trim().startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UserError('input "secrets": starts with "{" but is not valid JSON; pass `${{ toJSON(secrets) }}` or NAME=value lines');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UserError('input "secrets": expected a JSON object of NAME: value');
    for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof value === 'string') values.set(name, value);
      // a variable-like name with another kind of value is a mistake; anything else is not ours to read
      else if (/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new UserError(`input "secrets": the value of ${name} is not a string`);
    }
    return values;
  }
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.replace(/\r$/, '');
    if (!line.trim() || line.trimStart().startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = eq > 0 ? line.slice(0, eq).trim() : '';
    // the line may hold a value: only its number is named
    if (!name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UserError(`input "secrets": line ${i + 1} is not NAME=value (or pass a JSON object such as \`\${{ toJSON(secrets) }}\`)`);
    values.set(name, line.slice(eq + 1));
  });
  return values;
}

/**
 * The release's environment from the config's clear values and the listed secrets; a listed secret
 * that is missing or empty, or one a compose env file cannot carry, fails here (before any connection).
 */
export function releaseEnv(env: Environment, secrets: ReadonlyMap<string, string>, nonce: string, app: string): ReleaseEnv | undefined {
  const clear = Object.keys(env.env.clear);
  if (!clear.length && !env.env.secret.length) return undefined;
  const missing = env.env.secret.filter((name) => !secrets.get(name));
  if (missing.length)
    throw new UserError(
      `input "secrets" has no value for ${missing.join(', ')} (listed under env.secret of ${env.name}); nothing was run. Add ${missing.length > 1 ? 'them' : 'it'} to the repository or environment secrets and pass \`secrets: \${{ toJSON(secrets) }}\``,
    );
  for (const name of env.env.secret) {
    const value = secrets.get(name)!;
    if (value.includes('\0')) throw new UserError(`secret ${name} holds a NUL byte, which no environment variable can carry; nothing was run`);
    if (Buffer.byteLength(value) > MAX_SECRET_BYTES) throw new UserError(`secret ${name} is ${Buffer.byteLength(value)} bytes, more than ${MAX_SECRET_BYTES} (an environment variable is the wrong place for it: mount a file instead); nothing was run`);
  }
  const lines = [
    `# parking-ci: the environment of one release of ${app} (${nonce}); written by the deploy, do not edit`,
    ...clear.map((name) => envLine(name, env.env.clear[name]!)),
    ...env.env.secret.map((name) => envLine(name, secrets.get(name)!)),
  ];
  const content = `${lines.join('\n')}\n`;
  return { content, sha256: createHash('sha256').update(content).digest('hex'), clear, secret: [...env.env.secret] };
}

/**
 * `NAME="value"` in compose's env-file syntax: inside double quotes `\\` and `\"` are escapes, `\n`
 * and `\r` line breaks, and `$$` a dollar sign (no interpolation), so any value comes out as given.
 */
export function envLine(name: string, value: string): string {
  const quoted = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '$$$$').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `${name}="${quoted}"`;
}
