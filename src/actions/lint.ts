import * as core from '@actions/core';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { runAction } from '../github/action.js';
import { emitAnnotations } from '../github/annotations.js';
import { booleanInput, optionalInput, validInput } from '../github/inputs.js';
import { relativeFindings, toAnnotation } from '../reports/annotate.js';
import { readReports, workspaceDir, workspaceFolder } from '../reports/files.js';
import type { Finding } from '../reports/finding.js';
import { parseReportFile } from '../reports/formats.js';
import { lintGate } from '../reports/gates.js';
import { toolsToRun } from '../reports/inputs.js';
import { parseMypy } from '../reports/mypy.js';
import { ToolOutcomes, failureLine } from '../reports/outcome.js';
import { parseRuff } from '../reports/ruff.js';
import { type LintResult, lintSummary } from '../reports/summaries.js';
import { mypyCommand, mypySupportsJson, mypyVersionCommand, ruffCommand, type Runner } from '../tools/commands.js';
import { runTool, tail } from '../tools/exec.js';
import { resolveRunner, toolVersionInput } from '../tools/install.js';

const TOOLS = ['ruff', 'mypy'] as const;

async function main(): Promise<void> {
  const workspace = workspaceDir();
  const workingDirectory = optionalInput('working-directory') ?? '.';
  const reports = { ruff: optionalInput('ruff-report'), mypy: optionalInput('mypy-report') };
  const toRun = toolsToRun(TOOLS, reports);
  const failOnWarnings = booleanInput('fail-on-warnings');
  const runnerChoice = validInput('tool-runner', z.enum(['uv', 'path']), optionalInput('tool-runner') ?? 'uv');
  const uvVersion = toolVersionInput('uv-version', '0.9.13');
  const cwd = toRun.length ? workspaceFolder('working-directory', workingDirectory, workspace) : workspace;
  if (!reports.ruff && !reports.mypy && toRun.length === 0) throw new UserError('nothing to lint: give ruff-report and/or mypy-report, or list tools in "run"');

  const result: LintResult = { findings: [], sources: [] };
  const outcomes = new ToolOutcomes();
  // One runner for both tools: when uv cannot be installed, both fail with that one reason.
  let runner: Promise<Runner> | undefined;
  const getRunner = () => (runner ??= resolveRunner(runnerChoice, uvVersion));

  for (const tool of TOOLS) {
    const report = reports[tool];
    if (report) {
      await outcomes.attempt(tool, async () => {
        const files = await readReports(`${tool}-report`, report, workspace);
        const findings = files.flatMap((f) => parseReportFile(f, tool, tool === 'ruff' ? parseRuff : parseMypy));
        result.findings.push(...findings);
        result.sources.push({ tool, from: files.map((f) => f.path).join(', ') });
      });
    } else if (toRun.includes(tool)) {
      await outcomes.attempt(tool, async () => {
        const { findings, from } = tool === 'ruff' ? await runRuff(await ran(tool, getRunner()), cwd) : await runMypy(await ran(tool, getRunner()), cwd);
        result.findings.push(...findings);
        result.sources.push({ tool, from });
      });
    }
  }
  result.failures = outcomes.failures;

  result.findings = relativeFindings(result.findings, workingDirectory);
  const count = (pred: (f: Finding) => boolean) => result.findings.filter(pred).length;
  const errors = count((f) => f.severity === 'error');
  const warnings = count((f) => f.severity === 'warning');
  const read = (tool: string) => result.sources.some((s) => s.tool === tool);
  core.setOutput('errors', errors);
  core.setOutput('warnings', warnings);
  // A tool that was neither read nor run has no count: empty, not a reassuring 0.
  core.setOutput('ruff', read('ruff') ? count((f) => f.tool === 'ruff') : '');
  core.setOutput('mypy', read('mypy') ? count((f) => f.tool === 'mypy') : '');

  const gate = lintGate(result.findings, failOnWarnings);
  const failure = failureLine('lint', gate, outcomes.failures, ' (see the annotations and the step summary)');
  const shown = emitAnnotations(result.findings.map((f) => toAnnotation(f, '.')), { reserveErrors: failure ? 1 : 0 });
  const summary = lintSummary(result, gate);
  const omitted = shown.omitted.error + shown.omitted.warning + shown.omitted.notice;
  if (omitted) summary.paragraph(`${omitted} more findings are not annotated (GitHub shows 10 of each level per step); all are listed above.`);
  summary.write();
  core.info(`lint: ${errors} errors, ${warnings} warnings (${result.sources.map((s) => s.tool).join(', ') || 'no tool read'})`);
  if (failure) throw new UserError(failure);
}

/** A runner that could not be set up fails the tool that needed it, by name. */
async function ran(tool: string, runner: Promise<Runner>): Promise<Runner> {
  try {
    return await runner;
  } catch (err) {
    throw new UserError(`${tool} could not run: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function runRuff(runner: Runner, cwd: string): Promise<{ findings: Finding[]; from: string }> {
  const out = await runTool(ruffCommand(runner), cwd);
  if (out.exitCode !== 0) throw new UserError(`ruff failed (exit code ${out.exitCode}): ${tail(out.stderr || out.stdout, 5)}`);
  return { findings: parseRuff(out.stdout, 'ruff output'), from: 'ruff check' };
}

async function runMypy(runner: Runner, cwd: string): Promise<{ findings: Finding[]; from: string }> {
  const version = await runTool(mypyVersionCommand(runner), cwd);
  const json = mypySupportsJson(version.stdout);
  const paths = (optionalInput('paths') ?? '.').split(/\s+/).filter(Boolean);
  const out = await runTool(mypyCommand(runner, paths, json), cwd);
  // 0: clean, 1: type errors, 2: a crash or a blocking error (a syntax error is still reported).
  const findings = out.stdout.trim() ? parseMypy(out.stdout, 'mypy output') : [];
  if (out.exitCode > 1 && findings.length === 0) throw new UserError(`mypy failed (exit code ${out.exitCode}): ${tail(out.stderr || out.stdout, 5)}`);
  if (out.exitCode > 1) core.warning(`mypy stopped early (exit code ${out.exitCode}): ${tail(out.stderr, 3)}`);
  return { findings, from: `mypy ${version.stdout.trim().split(' ')[1] ?? ''}${json ? ' -O json' : ''}`.trim() };
}

await runAction(main);
