import * as glob from '@actions/glob';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync, realpathSync, renameSync, rmSync, type Stats, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors.js';

/**
 * Report files are read, and the SARIF file written, only inside the workspace: a report input is
 * a path the workflow controls, but its value often comes from elsewhere (a matrix, an artifact
 * name), and the runner's home, its environment (`/proc/self/environ`) and its devices are no
 * report. Links inside the workspace are followed only while they stay inside it.
 */

/** Reports larger than this are refused before they are read: parsing takes several times the size in memory. */
export const MAX_REPORT_BYTES = 128 * 1024 * 1024;
/** A glob matching more files than this is a mistake (a `**` over the whole tree). */
export const MAX_REPORT_FILES = 1000;

export interface ReportFile {
  /** The input that named the file; undefined for the output of a tool the action ran. */
  input?: string;
  /** The path as the user sees it: as given, or relative to the workspace for a glob's matches. */
  path: string;
  text: string;
}

export function workspaceDir(): string {
  return resolve(process.env.GITHUB_WORKSPACE ?? process.cwd());
}

const GLOB_CHARS = /[*?[\]]|^!/;

/**
 * The files a report input names: one path per line, or glob patterns (`reports/*.json`,
 * `**\/junit-*.xml`, `!` to exclude) matched with @actions/glob inside the workspace. Every file is
 * checked (inside the workspace, a regular file, not over the size limit) before any is read.
 */
export async function readReports(input: string, value: string, workspace = workspaceDir()): Promise<ReportFile[]> {
  const lines = value.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const root = realWorkspace(workspace);
  let targets: Array<{ path: string; full: string }>;
  if (lines.some((l) => GLOB_CHARS.test(l))) targets = await globTargets(input, lines, workspace, root);
  else targets = lines.map((l) => ({ path: l, full: resolve(workspace, l) }));
  if (targets.length > MAX_REPORT_FILES) throw new UserError(`input "${input}": ${targets.length} files match; at most ${MAX_REPORT_FILES} reports are read: narrow the pattern`);
  const checked = targets.map((t) => ({ ...t, real: checkReadable(input, t.path, t.full, workspace, root) }));
  let total = 0;
  return checked.map((t) => {
    const text = readCapped(input, t.path, t.real, MAX_REPORT_BYTES - total);
    total += Buffer.byteLength(text);
    return { input, path: t.path, text };
  });
}

async function globTargets(input: string, lines: string[], workspace: string, root: string): Promise<Array<{ path: string; full: string }>> {
  const patterns = lines.map((line) => {
    const negate = line.startsWith('!');
    const pattern = negate ? line.slice(1) : line;
    const full = resolve(workspace, pattern);
    // The literal part before the first wildcard is where the search starts: it must be inside.
    const literal = full.split(sep).filter((_, i, parts) => !parts.slice(0, i + 1).some((p) => /[*?[\]]/.test(p))).join(sep) || sep;
    if (!inside(workspace, literal) && !inside(root, literal)) throw new UserError(`input "${input}": the pattern ${line} looks outside the workspace (${workspace}); report globs match files inside it only`);
    return `${negate ? '!' : ''}${full}`;
  });
  const globber = await glob.create(patterns.join('\n'), { followSymbolicLinks: false, matchDirectories: false, implicitDescendants: false });
  const found = (await globber.glob()).sort();
  if (found.length === 0) throw new UserError(`input "${input}": no file in the workspace matches ${lines.join(', ')}`);
  return found.map((full) => ({ path: relative(workspace, full).split(sep).join('/'), full }));
}

function realWorkspace(workspace: string): string {
  try {
    return realpathSync(workspace);
  } catch {
    throw new UserError(`the workspace ${workspace} does not exist (GITHUB_WORKSPACE); run actions/checkout first`);
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The real path of a report after every check; throws a UserError naming the input otherwise. */
function checkReadable(input: string, shown: string, full: string, workspace: string, root: string): string {
  if (!inside(workspace, full) && !inside(root, full)) {
    throw new UserError(`input "${input}": ${shown} is outside the workspace (${workspace}); reports are read only from the workspace: write or copy the report there`);
  }
  let stats: Stats;
  try {
    stats = lstatSync(full);
  } catch {
    throw new UserError(`input "${input}": ${shown} does not exist (paths are relative to the workspace, ${workspace}); check the path, or that the step writing the report ran`);
  }
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    throw new UserError(`input "${input}": ${shown} is a symbolic link to nothing (a broken link); give the report file itself`);
  }
  if (!inside(root, real)) throw new UserError(`input "${input}": ${shown} is a symbolic link leading outside the workspace; reports are read only from inside it`);
  if (stats.isSymbolicLink()) stats = lstatSync(real);
  const kind = nonRegular(stats);
  if (kind === 'a folder') throw new UserError(`input "${input}": ${shown} is a folder, not a report file; name the file inside it, or a glob such as ${shown.replace(/\/$/, '')}/*`);
  if (kind) throw new UserError(`input "${input}": ${shown} is ${kind}, not a regular file; reports are read from regular files only`);
  if (stats.size > MAX_REPORT_BYTES) throw new UserError(`input "${input}": ${shown} is ${mib(stats.size)}; reports over ${mib(MAX_REPORT_BYTES)} are not read (split the report or scan less at once)`);
  return real;
}

function nonRegular(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0)} MiB`;
}

/**
 * Reads at most `budget` bytes. The file is opened without following a link and without blocking
 * (a FIFO swapped in after the checks opens at once and is refused), then checked again by its
 * descriptor; the size is enforced while reading, whatever stat said.
 */
function readCapped(input: string, shown: string, real: string, budget: number): string {
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    throw new UserError(`input "${input}": ${shown} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); check its permissions`);
  }
  try {
    const kind = nonRegular(fstatSync(fd));
    if (kind) throw new UserError(`input "${input}": ${shown} is ${kind}, not a regular file; reports are read from regular files only`);
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, budget - size + 1));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      size += n;
      if (size > budget) throw new UserError(`input "${input}": ${shown} and the reports read with it are over ${mib(MAX_REPORT_BYTES)}; reports that large are not read`);
    }
    return decode(Buffer.concat(chunks, size));
  } finally {
    closeSync(fd);
  }
}

/** UTF-8, or UTF-16 when the file starts with its byte order mark (PowerShell's `>` writes UTF-16LE). */
function decode(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return new TextDecoder('utf-8').decode(bytes);
}

/**
 * Where a file the action writes goes, checked without writing anything (so a bad path fails before
 * a long scan): a file path inside the workspace whose existing folders do not lead out through a link.
 */
export function workspaceTarget(input: string, path: string, workspace = workspaceDir()): { full: string; parent: string; root: string } {
  const root = realWorkspace(workspace);
  const full = resolve(workspace, path);
  if (!inside(workspace, full) || full === workspace || /[/\\]$/.test(path)) {
    throw new UserError(`input "${input}": ${path} is not a file path inside the workspace (${workspace}); give a relative path such as parking-ci-scan.sarif`);
  }
  const parent = dirname(full);
  let existing = parent;
  while (!exists(existing)) existing = dirname(existing);
  const realExisting = realpathSync(existing);
  if (!inside(root, realExisting)) throw new UserError(`input "${input}": ${path} would be written through a symbolic link leading outside the workspace; give a path inside it`);
  if (!lstatSync(realExisting).isDirectory()) throw new UserError(`input "${input}": ${relative(workspace, existing)} is a file, so ${path} cannot be created inside it`);
  if (exists(full)) {
    const stats = lstatSync(full);
    if (stats.isSymbolicLink()) throw new UserError(`input "${input}": ${path} is a symbolic link; the file is not written through links: remove the link or choose another path`);
    const kind = nonRegular(stats);
    if (kind) throw new UserError(`input "${input}": ${path} is ${kind}; give the path of a file`);
  }
  return { full, parent, root };
}

/**
 * Writes a file the action produces (the SARIF) at a path inside the workspace: never through a
 * symbolic link, never into a folder reached through a link that leads out. The content goes to a
 * new file beside the target first and is renamed over it, so a link planted at the target is
 * replaced, not followed.
 */
export function writeWorkspaceFile(input: string, path: string, content: string, workspace = workspaceDir()): string {
  const { full, parent, root } = workspaceTarget(input, path, workspace);
  mkdirSync(parent, { recursive: true });
  if (!inside(root, realpathSync(parent))) throw new UserError(`input "${input}": ${path} would be written through a symbolic link leading outside the workspace; give a path inside it`);
  const temp = join(parent, `.${basename(full)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, content, { flag: 'wx', mode: 0o644 });
    renameSync(temp, full);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new UserError(`input "${input}": ${path} could not be written (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return full;
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A directory input (`working-directory`, `scan-path`): inside the workspace, and a folder. */
export function workspaceFolder(input: string, value: string, workspace = workspaceDir()): string {
  const full = resolve(workspace, value);
  const root = realWorkspace(workspace);
  if (!inside(workspace, full) && !inside(root, full)) throw new UserError(`input "${input}": ${value} is outside the workspace (${workspace}); give a folder inside it`);
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    throw new UserError(`input "${input}": ${value} does not exist in the workspace`);
  }
  if (!inside(root, real)) throw new UserError(`input "${input}": ${value} is a symbolic link leading outside the workspace; give a folder inside it`);
  if (!lstatSync(real).isDirectory()) throw new UserError(`input "${input}": ${value} is not a folder`);
  return full;
}
