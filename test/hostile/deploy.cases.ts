// Hostile inputs of the deploy area: text from the config, the hosts' histories and the remote
// commands' output must never become HTML in a step summary, an option of a command, or a workflow
// command in the log.

export interface SummaryCase {
  name: string;
  kind: 'plan-summary';
  /** Edits the valid config. */
  edit: (yaml: string) => string;
  /** Must not appear anywhere in the summary outside a code block. */
  forbidden: string;
}

export interface HistoryCase {
  name: string;
  kind: 'history-summary';
  /** One field of a release line in a host's releases.jsonl, as an attacker with the host wrote it. */
  field: 'version' | 'actor' | 'git-sha' | 'at' | 'action' | 'status';
  value: string;
  forbidden: string;
}

export interface RunSummaryCase {
  name: string;
  kind: 'run-summary';
  /** Where outside text reaches the deploy summary. */
  where: 'host-error' | 'migration-output' | 'health-logs' | 'health-response' | 'previous-version';
  value: string;
  forbidden: string;
}

export interface OptionCase {
  name: string;
  kind: 'option';
  /** A builder given a value that looks like an option. */
  builder: 'pull' | 'find' | 'login' | 'start-beside' | 'singleton' | 'migrate' | 'remove' | 'discard' | 'image-rm' | 'write-file' | 'start-again';
  value: string;
}

export interface LogCase {
  name: string;
  kind: 'log';
  /** Remote output the engine prints. */
  where: 'migration-output' | 'remote-error' | 'dry-run-script';
  value: string;
}

export type DeployCase = SummaryCase | HistoryCase | RunSummaryCase | OptionCase | LogCase;

/** Markup and what of it must never appear raw. */
const xss: [string, string][] = [
  ['<script>alert(1)</script>', '<script'],
  ['<img src=x onerror=alert(1)>', '<img'],
  ['</td></tr></table><h1>owned</h1>', '<h1>owned'],
  ['<a href="javascript:alert(1)">x</a>', '<a href'],
  ['<details open><summary>fake</summary>', '<details open'],
];

export const cases: DeployCase[] = [
  ...xss.map(([v, forbidden]): SummaryCase => ({ name: `plan summary: environment url with ${v}`, kind: 'plan-summary', edit: (y) => y.replace(/url: \S+/, `url: "https://parking.example.com/${v.replace(/"/g, '%22').replace(/ /g, '%20')}"`), forbidden })),
  ...xss.map(([v, forbidden]): SummaryCase => ({ name: `plan summary: migrate command ${v}`, kind: 'plan-summary', edit: (y) => y.replace(/command: .*$/m, `command: ${JSON.stringify(`python manage.py migrate ${v}`)}`), forbidden })),
  { name: 'plan summary: health path with <', kind: 'plan-summary', edit: (y) => y.replace(/path: \S+/, 'path: "/health/<b>"'), forbidden: '<b>' },
  ...(['version', 'actor', 'git-sha', 'at', 'action', 'status'] as const).flatMap((field) =>
    xss.slice(0, 3).map(([v, forbidden]): HistoryCase => ({ name: `rollback to: list: history ${field} ${v}`, kind: 'history-summary', field, value: v, forbidden })),
  ),
  ...(['host-error', 'migration-output', 'health-logs', 'health-response', 'previous-version'] as const).flatMap((where) =>
    xss.slice(0, 3).map(([v, forbidden]): RunSummaryCase => ({ name: `deploy summary: ${where} ${v}`, kind: 'run-summary', where, value: v, forbidden })),
  ),
  { name: 'deploy summary: migration output closing the code fence', kind: 'run-summary', where: 'migration-output', value: '```\n<script>alert(1)</script>\n```', forbidden: '<script' },
  { name: 'deploy summary: container logs closing the code fence', kind: 'run-summary', where: 'health-logs', value: '````\n<img src=x onerror=alert(1)>', forbidden: '<img' },
  ...([
    ['pull', '--help'], ['pull', '-q'], ['find', '--all'], ['login', '--help'], ['start-beside', '-d'], ['singleton', '--remove-orphans'],
    ['migrate', '--entrypoint=/bin/sh'], ['remove', '-f'], ['discard', '--volumes'], ['image-rm', '-a'], ['write-file', '-rf'], ['start-again', '-a'],
  ] as const).map(([builder, value]): OptionCase => ({ name: `command builder ${builder}: a value like ${value} follows --`, kind: 'option', builder, value })),
  ...['::error::forged', '::stop-commands::token', '  ::warning file=a.py::x', '##[error]old syntax', 'ok\r::add-mask::x', 'migrating\n::set-output name=status::deployed'].flatMap((v): LogCase[] => [
    { name: `log: migration output ${JSON.stringify(v)}`, kind: 'log', where: 'migration-output', value: v },
    { name: `log: a remote error ${JSON.stringify(v)}`, kind: 'log', where: 'remote-error', value: v },
  ]),
  { name: 'log: dry-run script of a migrate command with a ::error:: after a quote', kind: 'log', where: 'dry-run-script', value: "migrate '::error::forged" },
];
