import * as core from '@actions/core';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { runAction } from '../github/action.js';
import { emitAnnotations } from '../github/annotations.js';
import { booleanInput, optionalInput, validInput } from '../github/inputs.js';
import { listInputWithDefault } from '../reports/inputs.js';
import { relativeFindings, toAnnotation } from '../reports/annotate.js';
import type { Finding } from '../reports/finding.js';
import { parseMypy } from '../reports/mypy.js';
import { readReport } from '../reports/read.js';
import { parseRuff } from '../reports/ruff.js';
import { lintGate, parseToolList } from '../reports/gates.js';
import { type LintResult, lintSummary } from '../reports/summaries.js';
import { mypyCommand, mypySupportsJson, mypyVersionCommand, ruffCommand, type Runner } from '../tools/commands.js';
import { runTool, tail } from '../tools/exec.js';
import { resolveRunner } from '../tools/install.js';

async function main(): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const workingDirectory = optionalInput('working-directory') ?? '.';
  const cwd = resolve(workspace, workingDirectory);
  const ruffReport = optionalInput('ruff-report');
  const mypyReport = optionalInput('mypy-report');
  const toRun = parseToolList('run', listInputWithDefault('run', 'ruff,mypy'), ['ruff', 'mypy'] as const);
  const failOnWarnings = booleanInput('fail-on-warnings');
  const runnerChoice = validInput('tool-runner', z.enum(['uv', 'path']), optionalInput('tool-runner') ?? 'uv');

  const result: LintResult = { findings: [], sources: [] };
  let runner: Runner | undefined;
  const getRunner = async () => (runner ??= await resolveRunner(runnerChoice, optionalInput('uv-version') ?? '0.9.13'));
  if (!existsSync(cwd)) throw new UserError(`input "working-directory": ${workingDirectory} does not exist in the workspace`);

  if (ruffReport) {
    const { path, text } = readReport('ruff-report', ruffReport);
    result.findings.push(...parseRuff(text, path));
    result.sources.push({ tool: 'ruff', from: path });
  } else if (toRun.includes('ruff')) {
    const out = await runTool(ruffCommand(await getRunner()), cwd);
    if (out.exitCode !== 0) throw new UserError(`ruff failed (exit code ${out.exitCode}): ${tail(out.stderr || out.stdout, 5)}`);
    result.findings.push(...parseRuff(out.stdout, 'ruff output'));
    result.sources.push({ tool: 'ruff', from: 'ruff check' });
  }

  if (mypyReport) {
    const { path, text } = readReport('mypy-report', mypyReport);
    result.findings.push(...parseMypy(text, path));
    result.sources.push({ tool: 'mypy', from: path });
  } else if (toRun.includes('mypy')) {
    const r = await getRunner();
    const version = await runTool(mypyVersionCommand(r), cwd);
    const json = mypySupportsJson(version.stdout);
    const paths = (optionalInput('paths') ?? '.').split(/\s+/).filter(Boolean);
    const out = await runTool(mypyCommand(r, paths, json), cwd);
    // 0: clean, 1: type errors, 2: a crash or a blocking error (a syntax error is still reported).
    const findings = out.stdout.trim() ? parseMypy(out.stdout, 'mypy output') : [];
    if (out.exitCode > 1 && findings.length === 0) throw new UserError(`mypy failed (exit code ${out.exitCode}): ${tail(out.stderr || out.stdout, 5)}`);
    if (out.exitCode > 1) core.warning(`mypy stopped early (exit code ${out.exitCode}): ${tail(out.stderr, 3)}`);
    result.findings.push(...findings);
    result.sources.push({ tool: 'mypy', from: `mypy ${version.stdout.trim().split(' ')[1] ?? ''}${json ? ' -O json' : ''}`.trim() });
  }
  if (result.sources.length === 0) throw new UserError('nothing to lint: give ruff-report and/or mypy-report, or list tools in "run"');

  result.findings = relativeFindings(result.findings, workingDirectory);
  const count = (pred: (f: Finding) => boolean) => result.findings.filter(pred).length;
  const errors = count((f) => f.severity === 'error');
  const warnings = count((f) => f.severity === 'warning');
  core.setOutput('errors', errors);
  core.setOutput('warnings', warnings);
  core.setOutput('ruff', count((f) => f.tool === 'ruff'));
  core.setOutput('mypy', count((f) => f.tool === 'mypy'));

  const gate = lintGate(result.findings, failOnWarnings);
  const shown = emitAnnotations(result.findings.map((f) => toAnnotation(f, '.')), { reserveErrors: gate.failed ? 1 : 0 });
  const summary = lintSummary(result, gate);
  const omitted = shown.omitted.error + shown.omitted.warning + shown.omitted.notice;
  if (omitted) summary.paragraph(`${omitted} more findings are not annotated (GitHub shows 10 of each level per step); all are listed above.`);
  summary.write();
  core.info(`lint: ${errors} errors, ${warnings} warnings (${result.sources.map((s) => s.tool).join(', ')})`);
  if (gate.failed) throw new UserError(`lint failed: ${gate.reasons.join('; ')} (see the annotations and the step summary)`);
}

await runAction(main);
