import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newRunnerDirs, runAction } from '../harness/run-action.js';

const VALID = `app: parking
image: registry.example.com/acme/parking-web
environments:
  production:
    url: https://parking.example.com
    hosts: [10.0.0.11, "10.0.0.12:2222", 10.0.0.13]
    ssh: {user: deployer}
    app-dir: /opt/parking
    batch-size: "50%"
    migrate: {command: python manage.py migrate --noinput}
`;

function workspaceWith(config: string): string {
  const dirs = newRunnerDirs();
  mkdirSync(join(dirs.workspace, '.github'), { recursive: true });
  writeFileSync(join(dirs.workspace, '.github', 'parking-ci.yml'), config);
  return dirs.workspace;
}

describe('plan action (runner protocol)', () => {
  test('a valid config prints the plan and sets both outputs', async () => {
    const r = await runAction('plan', { workspace: workspaceWith(VALID) });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.outputs.environments!)).toEqual(['production']);
    expect(JSON.parse(r.outputs.config!).environments.production.hosts[1]).toEqual({ id: '10.0.0.12:2222', host: '10.0.0.12', port: 2222, user: 'deployer' });
    expect(r.summary).toContain('Deploy plan for parking');
    expect(r.summary).toMatch(/<td>2<\/td><td>10.0.0.13<\/td>/);
  });

  test('an invalid value fails with an annotation at its line and column', async () => {
    const r = await runAction('plan', { workspace: workspaceWith(VALID.replace('"50%"', 'all')) });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0]).toMatchObject({
      level: 'error',
      message: 'environments.production.batch-size: expected a number or a percentage like "50%", got "all" (line 9, column 17)',
      properties: { file: '.github/parking-ci.yml', line: '9', col: '17' },
    });
    expect(r.stdout).not.toMatch(/at .*\.js:\d+/);
  });
});
