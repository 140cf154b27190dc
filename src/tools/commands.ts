import semver from 'semver';

/**
 * What each tool is run with, as argv arrays (no I/O here). `runner` decides the prefix: `uv run`
 * for the project's own tools (ruff, mypy, pytest come from its dev dependencies), `uv tool run` for
 * scanners that need not be dependencies (bandit, pip-audit), or the bare command when the tools are
 * already on PATH (`tool-runner: path`).
 */
export type Runner = { kind: 'uv'; uv: string } | { kind: 'path' };

/** A local command line for execFile (never a shell): the program, then its arguments. */
export type ToolCommand = [string, ...string[]];

export function projectTool(runner: Runner, tool: string, args: string[]): ToolCommand {
  return runner.kind === 'uv' ? [runner.uv, 'run', tool, ...args] : [tool, ...args];
}

export function standaloneTool(runner: Runner, tool: string, args: string[]): ToolCommand {
  return runner.kind === 'uv' ? [runner.uv, 'tool', 'run', tool, ...args] : [tool, ...args];
}

export function ruffCommand(runner: Runner): ToolCommand {
  return projectTool(runner, 'ruff', ['check', '--output-format', 'json', '--exit-zero', '.']);
}

export function mypyVersionCommand(runner: Runner): ToolCommand {
  return projectTool(runner, 'mypy', ['--version']);
}

/** `-O json` exists from mypy 1.11; older versions get the text format with columns and ends. */
export function mypyCommand(runner: Runner, paths: string[], json: boolean): ToolCommand {
  const format = json ? ['-O', 'json'] : ['--show-column-numbers', '--show-error-end', '--no-pretty', '--no-error-summary'];
  return projectTool(runner, 'mypy', [...format, ...paths]);
}

export function mypySupportsJson(versionOutput: string): boolean {
  const m = /mypy (\d+\.\d+(?:\.\d+)?)/.exec(versionOutput);
  const version = m ? semver.coerce(m[1]) : null;
  return version !== null && semver.gte(version, '1.11.0');
}

export function pytestCommand(runner: Runner, junitFile: string, coverageFile: string, args: string[]): ToolCommand {
  const cov = args.some((a) => a === '--cov' || a.startsWith('--cov=')) ? [] : ['--cov'];
  return projectTool(runner, 'pytest', [`--junitxml=${junitFile}`, ...cov, `--cov-report=xml:${coverageFile}`, ...args]);
}

export function banditCommand(runner: Runner, paths: string[], outFile: string): ToolCommand {
  return standaloneTool(runner, 'bandit', ['-r', ...paths, '-f', 'json', '-o', outFile, '-q', '-x', '.venv,.git,node_modules']);
}

export function pipAuditCommand(runner: Runner, outFile: string, requirements?: string): ToolCommand {
  return standaloneTool(runner, 'pip-audit', ['-f', 'json', '-o', outFile, ...(requirements ? ['-r', requirements] : [])]);
}

/** Dependencies of a uv project as a requirements file for pip-audit. */
export function uvExportCommand(uv: string, outFile: string): ToolCommand {
  return [uv, 'export', '--format', 'requirements-txt', '--no-hashes', '--no-emit-project', '-o', outFile];
}

export interface TrivyScan {
  imageRef?: string;
  scanPath?: string;
  outFile: string;
  cacheDir: string;
}

/** One JSON run holds everything; SARIF, counts and the gate are derived from it (never `--exit-code`). */
export function trivyCommand(trivy: string, scan: TrivyScan): ToolCommand {
  const common = ['--format', 'json', '--output', scan.outFile, '--exit-code', '0', '--cache-dir', scan.cacheDir, '--db-repository', 'public.ecr.aws/aquasecurity/trivy-db,ghcr.io/aquasecurity/trivy-db', '--java-db-repository', 'public.ecr.aws/aquasecurity/trivy-java-db,ghcr.io/aquasecurity/trivy-java-db'];
  if (scan.imageRef) return [trivy, 'image', ...common, '--scanners', 'vuln,secret', scan.imageRef];
  return [trivy, 'fs', ...common, '--scanners', 'vuln,secret,misconfig', scan.scanPath ?? '.'];
}

/** Splits an `args` input like a shell would for words and quotes (no expansion): `-k "not slow"` -> [-k, not slow]. */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let current: string | undefined;
  let quote: '"' | "'" | undefined;
  const add = (text: string) => (current = (current ?? '') + text);
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) add(text[++i]!);
      else add(ch);
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current ??= '';
    } else if (/\s/.test(ch)) {
      if (current !== undefined) args.push(current);
      current = undefined;
    } else add(ch);
  }
  if (quote) throw new Error(`unbalanced ${quote} in ${JSON.stringify(text)}`);
  if (current !== undefined) args.push(current);
  return args;
}
