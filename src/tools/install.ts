import * as core from '@actions/core';
import { which } from '@actions/io';
import * as tc from '@actions/tool-cache';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { UserError } from '../errors.js';
import { optionalInput } from '../github/inputs.js';
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
  const onPath = await which('uv', false);
  if (onPath !== '') return { kind: 'uv', uv: onPath };
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

/**
 * A tool version input (`uv-version`, `trivy-version`): an exact release such as `0.9.13` (a leading
 * `v` is allowed), since it becomes part of a download URL and a tool-cache folder.
 */
export function toolVersionInput(name: string, fallback: string): string {
  const value = optionalInput(name) ?? fallback;
  const version = semver.valid(value.replace(/^v(?=\d)/, ''));
  if (!version) throw new UserError(`input "${name}": ${JSON.stringify(value)} is not a release version; give an exact version such as ${fallback}`);
  return version;
}
