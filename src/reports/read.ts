import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors.js';

/** Reads a report named by an input; the path is relative to the workspace. */
export function readReport(input: string, path: string, workspace = process.env.GITHUB_WORKSPACE ?? process.cwd()): { path: string; text: string } {
  const full = isAbsolute(path) ? path : resolve(workspace, path);
  let size: number;
  try {
    size = statSync(full).size;
  } catch {
    throw new UserError(`input "${input}": ${path} does not exist (paths are relative to the workspace, ${workspace})`);
  }
  if (size > 1024 * 1024 * 1024) throw new UserError(`input "${input}": ${path} is ${(size / 2 ** 30).toFixed(1)} GiB; reports over 1 GiB are not read`);
  return { path, text: readFileSync(full, 'utf8') };
}
