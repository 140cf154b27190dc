import * as core from '@actions/core';
import * as tc from '@actions/tool-cache';
import { createHash } from 'node:crypto';
import { accessSync, constants, createReadStream, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { UserError } from '../errors.js';
import type { Runner } from './commands.js';

export type RunnerChoice = 'uv' | 'path';

/** The tool runner: `path` uses commands already on PATH; `uv` uses uv from PATH or installs it. */
/** tool-cache needs both; outside a hosted runner they may be unset. */
function ensureRunnerDirs(): void {
  process.env.RUNNER_TEMP ??= tmpdir();
  process.env.RUNNER_TOOL_CACHE ??= join(process.env.RUNNER_TEMP, 'tool-cache');
}

export async function resolveRunner(choice: RunnerChoice, uvVersion: string): Promise<Runner> {
  if (choice === 'path') return { kind: 'path' };
  const onPath = which('uv');
  if (onPath) return { kind: 'uv', uv: onPath };
  return { kind: 'uv', uv: await installUv(uvVersion) };
}

function uvTarget(): string {
  const arch = process.arch === 'arm64' ? 'aarch64' : process.arch === 'x64' ? 'x86_64' : undefined;
  if (process.platform !== 'linux' || !arch) throw new UserError(`installing uv is supported on Linux x64/arm64 runners only (this is ${process.platform}/${process.arch}); run astral-sh/setup-uv first`);
  return `${arch}-unknown-linux-gnu`;
}

/** uv from the tool cache, or downloaded from its GitHub release and checked against the release's sha256. */
export async function installUv(version: string): Promise<string> {
  ensureRunnerDirs();
  const cached = tc.find('uv', version);
  if (cached) return join(cached, 'uv');
  const target = uvTarget();
  const name = `uv-${target}.tar.gz`;
  const url = `https://github.com/astral-sh/uv/releases/download/${version}/${name}`;
  const dir = await core.group(`Install uv ${version}`, async () => {
    const archive = await download(url, `uv ${version}`);
    const checksumFile = await download(`${url}.sha256`, `the checksum of uv ${version}`);
    await verifySha256(archive, firstHash(readFileSync(checksumFile, 'utf8')), `uv ${version}`);
    const extracted = await tc.extractTar(archive);
    return tc.cacheDir(join(extracted, `uv-${target}`), 'uv', version);
  });
  return join(dir, 'uv');
}

/** Trivy from the tool cache, or downloaded from its release and checked against `trivy_<v>_checksums.txt`. */
export async function installTrivy(version: string): Promise<string> {
  const v = version.replace(/^v/, '');
  ensureRunnerDirs();
  const cached = tc.find('trivy', v);
  if (cached) return join(cached, 'trivy');
  const arch = process.arch === 'arm64' ? 'ARM64' : process.arch === 'x64' ? '64bit' : undefined;
  if (process.platform !== 'linux' || !arch) throw new UserError(`installing Trivy is supported on Linux x64/arm64 runners only; give a trivy-report instead`);
  const name = `trivy_${v}_Linux-${arch}.tar.gz`;
  const base = `https://github.com/aquasecurity/trivy/releases/download/v${v}`;
  const dir = await core.group(`Install Trivy ${v}`, async () => {
    const archive = await download(`${base}/${name}`, `Trivy ${v}`);
    const sums = readFileSync(await download(`${base}/trivy_${v}_checksums.txt`, `the checksums of Trivy ${v}`), 'utf8');
    const line = sums.split('\n').find((l) => l.trim().endsWith(` ${name}`));
    if (!line) throw new UserError(`Trivy ${v}: ${name} is not listed in trivy_${v}_checksums.txt; check the trivy-version input`);
    await verifySha256(archive, firstHash(line), `Trivy ${v}`);
    const extracted = await tc.extractTar(archive);
    return tc.cacheFile(join(extracted, 'trivy'), 'trivy', 'trivy', v);
  });
  return join(dir, 'trivy');
}

async function download(url: string, what: string): Promise<string> {
  try {
    return await tc.downloadTool(url);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new UserError(`could not download ${what} from ${url}: ${reason}. Check the version input and the runner's network, or set tool-runner: path / give report files.`);
  }
}

function firstHash(text: string): string {
  const m = /\b([a-f0-9]{64})\b/i.exec(text);
  if (!m) throw new UserError('the downloaded checksum file holds no sha256');
  return m[1]!.toLowerCase();
}

export async function verifySha256(file: string, expected: string, what: string): Promise<void> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const actual = hash.digest('hex');
  if (actual !== expected) throw new UserError(`${what}: checksum mismatch (expected sha256 ${expected}, got ${actual}); the download is corrupt or tampered with`);
  core.info(`${what}: sha256 ${actual} verified`);
}

/** The first executable `name` on PATH. */
export function which(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
