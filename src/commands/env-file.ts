import type { Environment } from '../config/types.js';
import type { Release } from './releases.js';
import { envFileName, envFilePath, statePaths } from './paths.js';
import { raw, secret, type Script } from './shell.js';

/**
 * Writes a release's environment file, 0600 from its first byte, inside a 0700 directory. The text
 * travels in the script on ssh's stdin and is written by bash's builtin printf: it is never on a
 * command line or in a process list. Dry runs print it redacted.
 */
export function writeEnvFileScript(env: Environment, release: string, sha256: string, content: string): Script {
  const dir = statePaths(env).envFiles;
  const path = envFilePath(env, release, sha256);
  return [
    ['mkdir', '-p', '--', dir],
    ['chmod', '700', '--', dir],
    ['rm', '-f', '--', `${path}.tmp`],
    [raw('( umask 077 && printf %s'), secret(content), raw('>'), `${path}.tmp`, raw(')')],
    ['chmod', '600', '--', `${path}.tmp`],
    ['mv', '-f', '--', `${path}.tmp`, path],
  ];
}

/** The env file names a history still needs: the newest line of each release pruning keeps (and the current). */
export function envFilesToKeep(history: Release[], keep: number): Set<string> {
  const files = new Set<string>();
  const versions: string[] = [];
  for (const r of [...history].reverse()) {
    if (r.status !== 'deployed' || versions.includes(r.version)) continue;
    if (versions.length >= keep) break;
    versions.push(r.version);
    if (r['env-sha256']) files.add(envFileName(r.version, r['env-sha256']));
  }
  return files;
}

/** The env files on a host that no kept release names (temp files of an interrupted write too). */
export function envFilesToPrune(history: Release[], keep: number, present: string[]): string[] {
  const kept = envFilesToKeep(history, keep);
  return present.filter((f) => /^[A-Za-z0-9_.-]+\.env(?:\.tmp)?$/.test(f) && !kept.has(f));
}

export function removeEnvFilesScript(env: Environment, files: string[]): Script {
  if (!files.length) return [];
  const dir = statePaths(env).envFiles;
  return [['rm', '-f', '--', ...files.map((f) => `${dir}/${f}`)]];
}
