// scripts/readme-tables.mjs keeps each action's README tables in step with its action.yml, and the root
// README's tables of the reusable workflows' inputs, secrets and outputs in step with the workflows,
// touching nothing outside its markers; `--check` fails on drift. The last test checks this repository.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './workflows.js';

const SCRIPT = join(ROOT, 'scripts', 'readme-tables.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });

const LINT_YML = `name: parking-ci lint
description: Run ruff and mypy.
inputs:
  ruff-report:
    description: Path of a ruff report (a | b, <path>).
    required: false
  working-directory:
    description: >-
      Directory of the
      Python project.
    default: .
  token:
    description: A token.
    required: true
    default: \${{ github.token }}
outputs:
  errors:
    description: Number of error findings.
runs:
  using: node24
  main: ../dist/lint/index.js
`;

const ROLLBACK_YML = `name: rollback
on:
  workflow_call:
    inputs:
      to:
        description: previous, a version (or \`list\`) | none.
        type: string
        default: previous
      dry-run:
        description: Touch nothing.
        type: boolean
        default: false
    secrets:
      SSH_PRIVATE_KEY:
        description: Key of the deploy user.
        required: true
      WEBHOOK_SECRET:
        description: Signs the webhook <body>.
        required: false
    outputs:
      status:
        description: deployed, rolled-back or failed.
        value: \${{ jobs.a.outputs.status }}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: true
`;

function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'parking-ci-readmes-'));
  mkdirSync(join(root, 'lint'));
  writeFileSync(join(root, 'lint', 'action.yml'), LINT_YML);
  return root;
}

describe('scripts/readme-tables.mjs', () => {
  test('creates a minimal README with both tables when there is none', () => {
    const root = checkout();
    expect(run('--root', root, '--check')).toMatchObject({ status: 1, stderr: expect.stringContaining('lint/README.md (missing)') });
    expect(run('--root', root).status).toBe(0);
    const readme = readFileSync(join(root, 'lint', 'README.md'), 'utf8');
    expect(readme).toMatch(/^# parking-ci lint\n/);
    expect(readme).toContain('- uses: org/parking-ci/lint@v1');
    expect(readme).toContain('| `ruff-report` | no |  | Path of a ruff report (a \\| b, &lt;path&gt;). |');
    expect(readme).toContain('| `working-directory` | no | `.` | Directory of the Python project. |');
    expect(readme).toContain('| `token` | yes | `${{ github.token }}` | A token. |');
    expect(readme).toContain('<!-- parking-ci:outputs -->\n| Name | Description |\n| --- | --- |\n| `errors` | Number of error findings. |\n<!-- /parking-ci:outputs -->');
    expect(run('--root', root, '--check')).toMatchObject({ status: 0 });
  });

  test('rewrites only the text between the markers, and is idempotent', () => {
    const root = checkout();
    const before = '# lint\n\nHand-written intro.\n\n<!-- parking-ci:inputs -->\nstale\n<!-- /parking-ci:inputs -->\n\nBetween the tables.\n\n<!-- parking-ci:outputs -->\n<!-- /parking-ci:outputs -->\n\nFooter.\n';
    writeFileSync(join(root, 'lint', 'README.md'), before);
    expect(run('--root', root, '--check')).toMatchObject({ status: 1, stderr: expect.stringMatching(/^\s+lint\/README\.md$/m) });
    run('--root', root);
    const after = readFileSync(join(root, 'lint', 'README.md'), 'utf8');
    const outside = (t: string) => t.replace(/<!-- parking-ci:(\w+) -->[\s\S]*?<!-- \/parking-ci:\1 -->/g, '<$1>');
    expect(outside(after)).toBe(outside(before));
    expect(after).not.toContain('stale');
    run('--root', root);
    expect(readFileSync(join(root, 'lint', 'README.md'), 'utf8')).toBe(after);
  });

  test('a README without markers keeps its text and gets the sections appended', () => {
    const root = checkout();
    writeFileSync(join(root, 'lint', 'README.md'), '# lint\n\nUsage notes.\n');
    expect(run('--root', root, '--check').stderr).toContain('lint/README.md (no inputs/outputs markers)');
    run('--root', root);
    const after = readFileSync(join(root, 'lint', 'README.md'), 'utf8');
    expect(after.startsWith('# lint\n\nUsage notes.\n')).toBe(true);
    expect(after).toContain('## Inputs\n\n<!-- parking-ci:inputs -->');
  });

  test('a hand-written table under "## Inputs" / "## Outputs" becomes the marked section; the rest stays', () => {
    const root = checkout();
    const before = '# lint\n\n## Inputs\n\n| Name | Description |\n| --- | --- |\n| `old` | gone |\n\nNotes on inputs.\n\n## Outputs\n\nNo table yet.\n';
    writeFileSync(join(root, 'lint', 'README.md'), before);
    run('--root', root);
    const after = readFileSync(join(root, 'lint', 'README.md'), 'utf8');
    expect(after).toMatch(/^# lint\n\n## Inputs\n\n<!-- parking-ci:inputs -->\n\| Name \| Required/);
    expect(after).toContain('<!-- /parking-ci:inputs -->\n\nNotes on inputs.\n\n## Outputs\n\n<!-- parking-ci:outputs -->');
    expect(after).toContain('<!-- /parking-ci:outputs -->\n\nNo table yet.\n');
    expect(after).not.toContain('`old`');
    expect(run('--root', root, '--check').status).toBe(0);
  });

  test('an action.yml that is not YAML is named, and fails the run', () => {
    const root = checkout();
    writeFileSync(join(root, 'lint', 'action.yml'), 'description: a: b\n');
    const r = run('--root', root, '--check');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot read lint/action.yml');
    expect(existsSync(join(root, 'lint', 'README.md'))).toBe(false);
  });

  test("the reusable workflows' inputs, secrets and outputs go into the root README, between their markers", () => {
    const root = checkout();
    mkdirSync(join(root, '.github', 'workflows'), { recursive: true });
    writeFileSync(join(root, '.github', 'workflows', 'rollback.yml'), ROLLBACK_YML);
    const before = '# app\n\nIntro.\n\n<!-- parking-ci:rollback-inputs -->\nstale\n<!-- /parking-ci:rollback-inputs -->\n\nBetween.\n';
    writeFileSync(join(root, 'README.md'), before);
    run('--root', root); // the lint README too
    expect(run('--root', root, '--check')).toMatchObject({ status: 0 });
    const after = readFileSync(join(root, 'README.md'), 'utf8');
    expect(after.startsWith('# app\n\nIntro.\n\n<!-- parking-ci:rollback-inputs -->\n| Name | Type | Required | Default | Description |\n')).toBe(true);
    expect(after).toContain('| `to` | string | no | `previous` | previous, a version (or `list`) \\| none. |');
    expect(after).toContain('| `dry-run` | boolean | no | `false` | Touch nothing. |');
    expect(after).toContain('<!-- /parking-ci:rollback-inputs -->\n\nBetween.\n');
    // Sections without markers are appended under one heading.
    expect(after).toContain('## Reusable workflows\n\n### `rollback.yml`: secrets\n\n<!-- parking-ci:rollback-secrets -->\n| Name | Required | Description |\n| --- | --- | --- |\n| `SSH_PRIVATE_KEY` | yes | Key of the deploy user. |\n| `WEBHOOK_SECRET` | no | Signs the webhook &lt;body&gt;. |\n<!-- /parking-ci:rollback-secrets -->');
    expect(after).toContain('<!-- parking-ci:rollback-outputs -->\n| Name | Description |\n| --- | --- |\n| `status` | deployed, rolled-back or failed. |\n<!-- /parking-ci:rollback-outputs -->');
    expect(after).not.toContain('stale');

    writeFileSync(join(root, '.github', 'workflows', 'rollback.yml'), ROLLBACK_YML.replace('Touch nothing.', 'Print the plan.'));
    expect(run('--root', root, '--check')).toMatchObject({ status: 1, stderr: expect.stringMatching(/^\s+README\.md$/m) });
    run('--root', root);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('| `dry-run` | boolean | no | `false` | Print the plan. |');
  });

  test('a workflow that is not YAML is named, and fails the run', () => {
    const root = checkout();
    mkdirSync(join(root, '.github', 'workflows'), { recursive: true });
    writeFileSync(join(root, '.github', 'workflows', 'pipeline.yml'), 'on: a: b\n');
    writeFileSync(join(root, 'README.md'), '# app\n');
    const r = run('--root', root, '--check');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot read .github/workflows/pipeline.yml');
  });

  test('this repository: every action README matches its action.yml, and the root README the reusable workflows', () => {
    const r = run('--check');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
