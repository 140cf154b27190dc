// Hostile values for the reusable workflows' inputs (pipeline.yml, pr-checks.yml, rollback.yml).
// Each row gives one input one value. `MARKER` in a value is replaced by a path that must never be
// created (a value run as code would create it); `PWNED` marks the part an attacker wants obeyed.
//
// expect:
//   refused       the step that checks the input fails with `::error::Input <input>: ...`
//   accepted      the step passes; where `output` is named, that output holds the value unchanged
//   action-input  no script sees the input: it reaches our actions only through `with:`

export type ReusableWorkflow = 'pipeline.yml' | 'pr-checks.yml' | 'rollback.yml';

export interface WorkflowCase {
  name: string;
  workflow: ReusableWorkflow;
  input: string;
  value: string;
  expect: 'refused' | 'accepted' | 'action-input';
  /** The output of the checking step that must hold the value unchanged when accepted. */
  output?: string;
  /** Other variables of the checking step's env (over the driver's defaults). */
  context?: Record<string, string>;
}

const LONG = 'v'.repeat(64 * 1024);
const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

export const cases: WorkflowCase[] = [
  // rollback.yml: to
  { name: 'to: a line break adds an output line', workflow: 'rollback.yml', input: 'to', value: 'previous\nstatus=deployed', expect: 'refused' },
  { name: 'to: CRLF then an output line', workflow: 'rollback.yml', input: 'to', value: 'v1\r\nversion=v9', expect: 'refused' },
  { name: 'to: a heredoc of its own', workflow: 'rollback.yml', input: 'to', value: 'x<<EOF\nstatus=deployed\nEOF', expect: 'refused' },
  { name: 'to: a workflow command', workflow: 'rollback.yml', input: 'to', value: '::error::PWNED', expect: 'refused' },
  { name: 'to: stop-commands on a second line', workflow: 'rollback.yml', input: 'to', value: 'v1\n::stop-commands::PWNED', expect: 'refused' },
  { name: 'to: old-style ##[ command on a second line', workflow: 'rollback.yml', input: 'to', value: 'v1\n##[error]PWNED', expect: 'refused' },
  { name: 'to: an expression', workflow: 'rollback.yml', input: 'to', value: '${{ secrets.SSH_PRIVATE_KEY }}', expect: 'refused' },
  { name: 'to: command substitution', workflow: 'rollback.yml', input: 'to', value: '$(touch MARKER)', expect: 'refused' },
  { name: 'to: quotes that end a string', workflow: 'rollback.yml', input: 'to', value: `v1'"; touch MARKER; echo "PWNED`, expect: 'refused' },
  { name: 'to: a very long value', workflow: 'rollback.yml', input: 'to', value: LONG, expect: 'refused' },
  { name: 'to: an option', workflow: 'rollback.yml', input: 'to', value: '--help', expect: 'refused' },
  { name: 'to: a tag of 128 characters (the longest)', workflow: 'rollback.yml', input: 'to', value: `v${'1'.repeat(127)}`, expect: 'accepted', output: 'to' },
  { name: 'to: a tag of 129 characters', workflow: 'rollback.yml', input: 'to', value: `v${'1'.repeat(128)}`, expect: 'refused' },
  { name: 'to: a digest', workflow: 'rollback.yml', input: 'to', value: digest, expect: 'accepted', output: 'to' },
  { name: 'to: list', workflow: 'rollback.yml', input: 'to', value: 'list', expect: 'accepted', output: 'to' },

  // rollback.yml: environment
  { name: 'environment: a line break adds a url output', workflow: 'rollback.yml', input: 'environment', value: 'production\nurl=https://evil.example', expect: 'refused' },
  { name: 'environment: a workflow command', workflow: 'rollback.yml', input: 'environment', value: '::warning::PWNED', expect: 'refused' },
  { name: 'environment: a space and a quote', workflow: 'rollback.yml', input: 'environment', value: `prod' uction`, expect: 'refused' },
  { name: 'environment: a plain name', workflow: 'rollback.yml', input: 'environment', value: 'staging', expect: 'accepted', output: 'environment' },

  // rollback.yml: notify-channels
  { name: 'rollback notify-channels: a line break adds a status', workflow: 'rollback.yml', input: 'notify-channels', value: 'slack\nstatus=success', expect: 'refused' },
  { name: 'rollback notify-channels: quotes and a command', workflow: 'rollback.yml', input: 'notify-channels', value: `slack'; touch MARKER; '`, expect: 'refused' },
  { name: 'rollback notify-channels: a list', workflow: 'rollback.yml', input: 'notify-channels', value: 'slack,webhook', expect: 'accepted', output: 'channels' },

  // pipeline.yml: image, registry, registry-username (written to outputs by the route step)
  { name: 'image: a line break adds an environment output', workflow: 'pipeline.yml', input: 'image', value: 'ghcr.io/acme/web\nenvironment=production', expect: 'refused' },
  { name: 'image: a workflow command', workflow: 'pipeline.yml', input: 'image', value: '::error::PWNED', expect: 'refused' },
  { name: 'image: command substitution', workflow: 'pipeline.yml', input: 'image', value: "acme/web'$(touch MARKER)'", expect: 'refused' },
  { name: 'image: a very long value', workflow: 'pipeline.yml', input: 'image', value: `acme/${'w'.repeat(300)}`, expect: 'refused' },
  { name: 'image: an image name (on a branch that does not deploy)', workflow: 'pipeline.yml', input: 'image', value: 'ghcr.io/acme/web', expect: 'accepted', output: 'image', context: { REF: 'refs/heads/feature/x' } },
  { name: 'registry: a line break adds a username', workflow: 'pipeline.yml', input: 'registry', value: 'registry.example.com\nusername=root', expect: 'refused' },
  { name: 'registry: host and port', workflow: 'pipeline.yml', input: 'registry', value: 'localhost:5000', expect: 'accepted', output: 'registry' },
  { name: 'registry-username: a line break and add-mask', workflow: 'pipeline.yml', input: 'registry-username', value: 'ci\n::add-mask::PWNED', expect: 'refused' },
  { name: 'registry-username: an expression', workflow: 'pipeline.yml', input: 'registry-username', value: '${{ secrets.REGISTRY_PASSWORD }}', expect: 'refused' },
  { name: 'registry-username: a Harbor robot account ($ and +)', workflow: 'pipeline.yml', input: 'registry-username', value: 'robot$acme+ci', expect: 'accepted', output: 'username' },
  { name: 'registry-username: a colon (user:password)', workflow: 'pipeline.yml', input: 'registry-username', value: 'ci:hunter2', expect: 'refused' },
  { name: 'registry-username: an e-mail address', workflow: 'pipeline.yml', input: 'registry-username', value: 'ci@example.com', expect: 'accepted', output: 'username' },

  // pipeline.yml: environments (a JSON map of branch glob -> environment)
  { name: 'environments: a target with a line break', workflow: 'pipeline.yml', input: 'environments', value: '{"main":"production\\nurl=https://evil.example"}', expect: 'refused' },
  { name: 'environments: a target that is a workflow command', workflow: 'pipeline.yml', input: 'environments', value: '{"main":"::error::PWNED"}', expect: 'refused' },
  { name: 'environments: a glob with a control character', workflow: 'pipeline.yml', input: 'environments', value: '{"ma\\u0000in":"production"}', expect: 'refused' },
  { name: 'environments: a second line after the JSON', workflow: 'pipeline.yml', input: 'environments', value: '{"main":"production"}\nenvironment=production', expect: 'refused' },
  { name: 'environments: not JSON', workflow: 'pipeline.yml', input: 'environments', value: 'main: production', expect: 'refused' },
  { name: 'environments: a JSON array', workflow: 'pipeline.yml', input: 'environments', value: '["production"]', expect: 'refused' },
  { name: 'environments: a target that is not a string', workflow: 'pipeline.yml', input: 'environments', value: '{"main":{"name":"production"}}', expect: 'refused' },
  { name: 'environments: globs with quotes and $( ) are only globs', workflow: 'pipeline.yml', input: 'environments', value: `{"$(touch MARKER)*":"staging","it's \\"main\\"":"uat","main":"production"}`, expect: 'accepted' },

  // pipeline.yml: branch names are only compared
  { name: 'staging-branch: a line break and an output line', workflow: 'pipeline.yml', input: 'staging-branch', value: 'develop\nenvironment=production', expect: 'accepted' },
  { name: 'production-branch: command substitution', workflow: 'pipeline.yml', input: 'production-branch', value: '$(touch MARKER)', expect: 'accepted' },
  { name: 'production-branch: a line break and a command', workflow: 'pipeline.yml', input: 'production-branch', value: 'main\n::error::PWNED', expect: 'accepted' },
  { name: 'production-branch: a very long value', workflow: 'pipeline.yml', input: 'production-branch', value: LONG, expect: 'accepted' },

  // pipeline.yml: notify-channels
  { name: 'pipeline notify-channels: a line break adds a message', workflow: 'pipeline.yml', input: 'notify-channels', value: 'slack\nmessage=PWNED', expect: 'refused' },
  { name: 'pipeline notify-channels: a workflow command', workflow: 'pipeline.yml', input: 'notify-channels', value: '::error::PWNED', expect: 'refused' },

  // Inputs that no script sees: the runner hands `with:` values to the action as INPUT_* variables.
  { name: 'pytest-args: command substitution', workflow: 'pipeline.yml', input: 'pytest-args', value: '$(touch MARKER) --cov', expect: 'action-input' },
  { name: 'python-version: a line break', workflow: 'pipeline.yml', input: 'python-version', value: '3.13\n::error::PWNED', expect: 'action-input' },
  { name: 'dockerfile: quotes', workflow: 'pipeline.yml', input: 'dockerfile', value: `Dockerfile"; touch MARKER; "`, expect: 'action-input' },
  { name: 'pipeline config: an expression', workflow: 'pipeline.yml', input: 'config', value: '${{ secrets.SSH_PRIVATE_KEY }}', expect: 'action-input' },
  { name: 'pr-checks pytest-args: command substitution', workflow: 'pr-checks.yml', input: 'pytest-args', value: '$(touch MARKER)', expect: 'action-input' },
  { name: 'pr-checks scan-path: a path out and a command', workflow: 'pr-checks.yml', input: 'scan-path', value: '../../etc\n::error::PWNED', expect: 'action-input' },
  { name: 'pr-checks config: an expression', workflow: 'pr-checks.yml', input: 'config', value: '${{ secrets.GITHUB_TOKEN }}', expect: 'action-input' },
  { name: 'pr-checks working-directory: a shell list', workflow: 'pr-checks.yml', input: 'working-directory', value: '.; touch MARKER', expect: 'action-input' },
  { name: 'rollback config: a very long value', workflow: 'rollback.yml', input: 'config', value: LONG, expect: 'action-input' },
  { name: 'rollback strategy: a line break', workflow: 'rollback.yml', input: 'strategy', value: 'rolling\n::error::PWNED', expect: 'action-input' },
];
