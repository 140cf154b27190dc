import * as core from '@actions/core';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { tmpdir } from 'node:os';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { runAction } from '../github/action.js';
import { emitAnnotations, workspacePath } from '../github/annotations.js';
import { optionalInput, validInput } from '../github/inputs.js';
import { untrusted } from '../github/untrusted.js';
import { relativeFindings, toAnnotation } from '../reports/annotate.js';
import { type Coverage, formatPercent, parseCobertura } from '../reports/cobertura.js';
import { readReports, workspaceDir, workspaceFolder } from '../reports/files.js';
import { parseReportFile } from '../reports/formats.js';
import { pytestGate } from '../reports/gates.js';
import { toolsToRun } from '../reports/inputs.js';
import { type TestRun, mergeRuns, parseJUnit, testFindings } from '../reports/junit.js';
import { ToolOutcomes, failureLine } from '../reports/outcome.js';
import { pytestSummary } from '../reports/summaries.js';
import { pytestCommand, splitArgs } from '../tools/commands.js';
import { runTool, tail } from '../tools/exec.js';
import { resolveRunner, toolVersionInput } from '../tools/install.js';

const PERCENT = z.coerce.number({ error: 'expected a percentage between 0 and 100' }).min(0).max(100);

async function main(): Promise<void> {
  const workspace = workspaceDir();
  const workingDirectory = optionalInput('working-directory') ?? '.';
  const minCoverage = optionalInput('min-coverage') === undefined ? undefined : validInput('min-coverage', PERCENT);
  const junitInput = optionalInput('junit-report');
  const coverageInput = optionalInput('coverage-report');
  // pytest writes both reports: under `auto`, a coverage report alone is read without running the tests.
  const runPytest = toolsToRun(['pytest'] as const, { pytest: junitInput }, { otherReports: coverageInput !== undefined }).length > 0;
  const cwd = runPytest ? workspaceFolder('working-directory', workingDirectory, workspace) : workspace;
  let args: string[] = [];
  if (runPytest) {
    try {
      args = splitArgs(optionalInput('args') ?? '');
    } catch (err) {
      throw new UserError(`input "args": ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const runnerChoice = validInput('tool-runner', z.enum(['uv', 'path']), optionalInput('tool-runner') ?? 'uv');
  const uvVersion = toolVersionInput('uv-version', '0.9.13');
  if (!junitInput && !coverageInput && !runPytest) throw new UserError('nothing to report: give junit-report and/or coverage-report, or set "run" to pytest');

  const outcomes = new ToolOutcomes();
  let run: TestRun | undefined;
  let coverage: Coverage | undefined;
  if (junitInput) {
    run = await outcomes.attempt('pytest', async () => mergeRuns((await readReports('junit-report', junitInput, workspace)).map((f) => parseReportFile(f, 'junit', parseJUnit))));
  } else if (runPytest) {
    const ran = await outcomes.attempt('pytest', () => runTests(runnerChoice, uvVersion, args, cwd));
    run = ran?.run;
    if (!coverageInput) coverage = ran?.coverage;
  }
  if (coverageInput) {
    coverage = await outcomes.attempt('coverage', async () => {
      const files = await readReports('coverage-report', coverageInput, workspace);
      if (files.length > 1) throw new UserError(`input "coverage-report": ${files.length} files match (${files.map((f) => f.path).slice(0, 5).join(', ')}); coverage reports cannot be added up: combine them first with \`coverage combine\` and \`coverage xml\``);
      return parseReportFile(files[0]!, 'coverage', parseCobertura);
    });
  }
  // coverage.py names files relative to its single <source>; inside the workspace, show repository paths.
  if (coverage?.sources.length === 1 && isAbsolute(coverage.sources[0]!)) {
    const source = coverage.sources[0]!;
    for (const f of coverage.files) f.file = workspacePath(join(source, f.file), workspace);
  }
  if (minCoverage !== undefined && !coverage && !outcomes.failed('coverage') && !outcomes.failed('pytest')) {
    throw new UserError('input "min-coverage" is set but there is no coverage: give coverage-report, or let the action run pytest with pytest-cov installed');
  }

  // No tests read: the counts are empty, not zero (zero tests would read as "nothing failed").
  for (const key of ['tests', 'passed', 'failed', 'errors', 'skipped'] as const) core.setOutput(key, run ? run[key] : '');
  core.setOutput('coverage', coverage ? formatPercent(coverage.percent) : '');

  const gate = pytestGate(run, coverage, minCoverage);
  const failure = failureLine('pytest', gate, outcomes.failures);
  const findings = run ? relativeFindings(testFindings(run), workingDirectory) : [];
  const shown = emitAnnotations(findings.map((f) => toAnnotation(f)), { reserveErrors: failure ? 1 : 0 });
  const summary = pytestSummary(run, coverage, gate, minCoverage, undefined, outcomes.failures);
  if (shown.omitted.error) summary.paragraph(`${shown.omitted.error} more failing tests are not annotated (GitHub shows 10 per step); all are listed above.`);
  summary.write();
  core.info(`pytest: ${run ? `${run.tests} tests, ${run.passed} passed, ${run.failed} failed, ${run.errors} errors, ${run.skipped} skipped` : 'no tests read'}${coverage ? `; line coverage ${formatPercent(coverage.percent)} %` : ''}`);
  if (failure) throw new UserError(failure);
}

async function runTests(runnerChoice: 'uv' | 'path', uvVersion: string, args: string[], cwd: string): Promise<{ run: TestRun; coverage?: Coverage }> {
  const out = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'pytest-'));
  const junitFile = join(out, 'junit.xml');
  const coverageFile = join(out, 'coverage.xml');
  let runner;
  try {
    runner = await resolveRunner(runnerChoice, uvVersion);
  } catch (err) {
    throw new UserError(`pytest could not run: ${err instanceof Error ? err.message : String(err)}`);
  }
  const result = await core.group('pytest', async () => {
    const r = await runTool(pytestCommand(runner, junitFile, coverageFile, args), cwd);
    core.info(untrusted(tail(r.stdout, 40)));
    return r;
  });
  // 0: passed, 1: some failed, 5: nothing collected; anything else is pytest itself failing.
  if (!existsSync(junitFile) || ![0, 1, 5].includes(result.exitCode)) {
    throw new UserError(`pytest did not run the tests (exit code ${result.exitCode}): ${tail(result.stderr || result.stdout, 8)}`);
  }
  if (result.exitCode === 5) core.warning('pytest collected no tests');
  const run = parseJUnit(readFileSync(junitFile, 'utf8'), 'pytest JUnit output');
  return { run, coverage: existsSync(coverageFile) ? parseCobertura(readFileSync(coverageFile, 'utf8'), 'pytest coverage output') : undefined };
}

await runAction(main);
