import * as core from '@actions/core';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { runAction } from '../github/action.js';
import { emitAnnotations, workspacePath } from '../github/annotations.js';
import { optionalInput, validInput } from '../github/inputs.js';
import { relativeFindings, toAnnotation } from '../reports/annotate.js';
import { type Coverage, formatPercent, parseCobertura } from '../reports/cobertura.js';
import { pytestGate } from '../reports/gates.js';
import { type TestRun, parseJUnit, testFindings } from '../reports/junit.js';
import { readReport } from '../reports/read.js';
import { pytestSummary } from '../reports/summaries.js';
import { pytestCommand, splitArgs } from '../tools/commands.js';
import { runTool, tail } from '../tools/exec.js';
import { resolveRunner } from '../tools/install.js';

const PERCENT = z.coerce.number({ error: 'expected a percentage between 0 and 100' }).min(0).max(100);

async function main(): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const workingDirectory = optionalInput('working-directory') ?? '.';
  const cwd = resolve(workspace, workingDirectory);
  const minCoverage = optionalInput('min-coverage') === undefined ? undefined : validInput('min-coverage', PERCENT);
  const junitInput = optionalInput('junit-report');
  let coverageInput = optionalInput('coverage-report');

  let run: TestRun;
  let coverage: Coverage | undefined;
  if (junitInput) {
    const { path, text } = readReport('junit-report', junitInput);
    run = parseJUnit(text, path);
  } else {
    if (!existsSync(cwd)) throw new UserError(`input "working-directory": ${workingDirectory} does not exist in the workspace`);
    const out = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'pytest-'));
    const junitFile = join(out, 'junit.xml');
    const coverageFile = join(out, 'coverage.xml');
    const runner = await resolveRunner(validInput('tool-runner', z.enum(['uv', 'path']), optionalInput('tool-runner') ?? 'uv'), optionalInput('uv-version') ?? '0.9.13');
    let args: string[];
    try {
      args = splitArgs(optionalInput('args') ?? '');
    } catch (err) {
      throw new UserError(`input "args": ${err instanceof Error ? err.message : String(err)}`);
    }
    const result = await core.group('pytest', async () => {
      const r = await runTool(pytestCommand(runner, junitFile, coverageFile, args), cwd);
      core.info(tail(r.stdout, 40));
      return r;
    });
    // 0: passed, 1: some failed, 5: nothing collected; anything else is pytest itself failing.
    if (!existsSync(junitFile) || ![0, 1, 5].includes(result.exitCode)) {
      throw new UserError(`pytest did not run the tests (exit code ${result.exitCode}): ${tail(result.stderr || result.stdout, 8)}`);
    }
    if (result.exitCode === 5) core.warning('pytest collected no tests');
    run = parseJUnit(readFileSync(junitFile, 'utf8'), 'pytest JUnit output');
    if (!coverageInput && existsSync(coverageFile)) coverage = parseCobertura(readFileSync(coverageFile, 'utf8'), 'pytest coverage output');
  }
  if (coverageInput) {
    const { path, text } = readReport('coverage-report', coverageInput);
    coverage = parseCobertura(text, path);
  }
  // coverage.py names files relative to its single <source>; inside the workspace, show repository paths.
  if (coverage?.sources.length === 1 && isAbsolute(coverage.sources[0]!)) {
    const source = coverage.sources[0]!;
    for (const f of coverage.files) f.file = workspacePath(join(source, f.file), workspace);
  }
  if (minCoverage !== undefined && !coverage) {
    throw new UserError('input "min-coverage" is set but there is no coverage: give coverage-report, or let the action run pytest with pytest-cov installed');
  }

  core.setOutput('tests', run.tests);
  core.setOutput('passed', run.passed);
  core.setOutput('failed', run.failed);
  core.setOutput('errors', run.errors);
  core.setOutput('skipped', run.skipped);
  core.setOutput('coverage', coverage ? formatPercent(coverage.percent) : '');

  const gate = pytestGate(run, coverage, minCoverage);
  const findings = relativeFindings(testFindings(run), workingDirectory);
  const shown = emitAnnotations(findings.map((f) => toAnnotation(f)), { reserveErrors: gate.failed ? 1 : 0 });
  const summary = pytestSummary(run, coverage, gate, minCoverage);
  if (shown.omitted.error) summary.paragraph(`${shown.omitted.error} more failing tests are not annotated (GitHub shows 10 per step); all are listed above.`);
  summary.write();
  core.info(`pytest: ${run.tests} tests, ${run.passed} passed, ${run.failed} failed, ${run.errors} errors, ${run.skipped} skipped${coverage ? `; line coverage ${formatPercent(coverage.percent)} %` : ''}`);
  if (gate.failed) throw new UserError(`pytest failed: ${gate.reasons.join('; ')}`);
}

await runAction(main);
