// Reads the report fixtures (test/fixtures/reports, copies of /work/shared/fixtures with provenance).
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'reports');

export function fixture(path: string): string {
  return readFileSync(join(FIXTURES, path), 'utf8');
}

export function fixturePath(path: string): string {
  return join(FIXTURES, path);
}

export function fixturesOf(tool: string, pattern: RegExp = /./): string[] {
  return readdirSync(join(FIXTURES, tool))
    .filter((f) => pattern.test(f))
    .map((f) => `${tool}/${f}`);
}

/** The tool's stdout from an insta snapshot: after `----- stdout -----`, or after the YAML header. */
export function snapshotOutput(snap: string): string {
  const stdout = /----- stdout -----\n([\s\S]*?)(?:----- stderr -----|$)/.exec(snap);
  if (stdout) return stdout[1]!;
  return snap.split(/^---$/m).slice(2).join('---');
}

/** The expected output sections (`[out]`, `[out2]`, ...) of mypy's data-driven test files. */
export function mypyOutSections(testFile: string): string[] {
  const sections: string[] = [];
  for (const block of testFile.split(/^(?=\[)/m)) {
    const m = /^\[out\d*\]\n([\s\S]*)$/.exec(block);
    if (m) sections.push(m[1]!.split(/^\[case /m)[0]!.replace(/^--.*$/gm, ''));
  }
  return sections;
}

/**
 * The environment of an action run with the network blocked: no uv on PATH, every download through
 * a proxy nothing listens on (so a download attempt fails at once; tool-cache still retries twice).
 */
export const OFFLINE_ENV = {
  PATH: '/usr/bin:/bin',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
  HTTP_PROXY: 'http://127.0.0.1:9',
  http_proxy: 'http://127.0.0.1:9',
};
