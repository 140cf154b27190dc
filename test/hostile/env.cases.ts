// Hostile inputs of the env area: secret values and names from the `secrets` input, and names and
// values in the config's `env`. A secret may hold anything a user can paste; none of it may reach a
// log line, the summary, an output or a command line, and what is refused is named, never shown.

export interface SecretValueCase {
  name: string;
  kind: 'secret-value';
  value: string;
  /** accepted: the deploy (dry run) goes on; otherwise the refusal's message (it names SECRET_KEY). */
  expect: 'accepted' | RegExp;
}

export interface SecretsInputCase {
  name: string;
  kind: 'secrets-input';
  /** The whole `secrets` input as the workflow passes it. */
  input: string;
  /** The values the deploy takes for the config's SECRET_KEY and DATABASE_PASSWORD, or the refusal. */
  expect: { SECRET_KEY: string; DATABASE_PASSWORD: string } | RegExp;
  /** Text of the input that must appear nowhere in what the run printed (besides the runner's add-mask). */
  secretText: string[];
}

export interface ConfigCase {
  name: string;
  kind: 'config';
  /** The `env:` block of the environment (indented 4 spaces), as the user wrote it. */
  block: string;
  /** The problem: its key path and message, at a line and column. */
  path: string;
  message: RegExp;
  line: number;
}

export type EnvCase = SecretValueCase | SecretsInputCase | ConfigCase;

const huge = (n: number) => 'x'.repeat(n);

export const cases: EnvCase[] = [
  { name: 'single and double quotes', kind: 'secret-value', value: `it's a "quoted" 'secret'`, expect: 'accepted' },
  { name: 'line breaks (a PEM key)', kind: 'secret-value', value: '-----BEGIN KEY-----\nMIIBOgIBAAJBAK\r\nline3\n-----END KEY-----\n', expect: 'accepted' },
  { name: '"=" signs', kind: 'secret-value', value: 'a=b==c=', expect: 'accepted' },
  { name: 'dollars, command substitution, backticks', kind: 'secret-value', value: '$HOME ${PATH} $$ $(id) `id` ${X:-y}', expect: 'accepted' },
  { name: 'unicode and zero-width characters', kind: 'secret-value', value: 'pässwörd-密码-😀-\u200b\u202e', expect: 'accepted' },
  { name: 'backslashes, also before a quote and at the end', kind: 'secret-value', value: 'a\\b\\"c\\\'d\\n\\', expect: 'accepted' },
  { name: 'a workflow command', kind: 'secret-value', value: '::error::pwned\n::add-mask::x\n##[group]g', expect: 'accepted' },
  { name: 'a shell comment and leading spaces', kind: 'secret-value', value: '  #not a comment ', expect: 'accepted' },
  { name: 'a value of exactly 64 KiB', kind: 'secret-value', value: huge(64 * 1024), expect: 'accepted' },
  { name: 'a huge value (over 64 KiB)', kind: 'secret-value', value: huge(100 * 1024), expect: /secret SECRET_KEY is 102400 bytes, more than 65536/ },
  { name: 'a NUL byte', kind: 'secret-value', value: 'before\0after-nul-secret', expect: /secret SECRET_KEY holds a NUL byte/ },

  { name: 'JSON with __proto__ and constructor keys', kind: 'secrets-input', input: '{"__proto__":{"SECRET_KEY":"proto-polluted-1"},"constructor":"ctor-value-22","SECRET_KEY":"real-key-333","DATABASE_PASSWORD":"real-pw-4444"}', expect: { SECRET_KEY: 'real-key-333', DATABASE_PASSWORD: 'real-pw-4444' }, secretText: ['proto-polluted-1', 'ctor-value-22', 'real-key-333', 'real-pw-4444'] },
  { name: 'a __proto__ JSON key alone gives no secret', kind: 'secrets-input', input: '{"__proto__":{"SECRET_KEY":"proto-only-5555","DATABASE_PASSWORD":"proto-only-6666"}}', expect: /no value for SECRET_KEY, DATABASE_PASSWORD/, secretText: ['proto-only-5555', 'proto-only-6666'] },
  { name: 'NAME=value lines with "=" in the value and CRLF endings', kind: 'secrets-input', input: 'SECRET_KEY=k=e=y-777\r\nDATABASE_PASSWORD=pw 888 \r\n', expect: { SECRET_KEY: 'k=e=y-777', DATABASE_PASSWORD: 'pw 888 ' }, secretText: ['k=e=y-777', 'pw 888'] },
  { name: 'a line that is not NAME=value (a pasted value)', kind: 'secrets-input', input: 'SECRET_KEY=fine-9999\nhunter2-pasted-value\n', expect: /line 2 is not NAME=value/, secretText: ['fine-9999', 'hunter2-pasted-value'] },
  { name: 'broken JSON holding a value', kind: 'secrets-input', input: '{"SECRET_KEY": "broken-json-0000"', expect: /not valid JSON/, secretText: ['broken-json-0000'] },
  { name: 'a listed secret given empty', kind: 'secrets-input', input: '{"SECRET_KEY":"","DATABASE_PASSWORD":"given-pw-1212"}', expect: /no value for SECRET_KEY/, secretText: ['given-pw-1212'] },
  { name: 'names shadowing PARKING_CI_ in the input are ignored (only listed names are used)', kind: 'secrets-input', input: '{"PARKING_CI_VERSION":"shadow-3434","SECRET_KEY":"k-5656","DATABASE_PASSWORD":"p-7878"}', expect: { SECRET_KEY: 'k-5656', DATABASE_PASSWORD: 'p-7878' }, secretText: ['shadow-3434', 'k-5656', 'p-7878'] },

  { name: 'a name shadowing PARKING_CI_*', kind: 'config', block: '    env:\n      secret: [PARKING_CI_HOSTS]\n', path: 'environments.production.env.secret[0]', message: /set by parking-ci for hooks/, line: 8 },
  { name: '__proto__ as a clear name', kind: 'config', block: '    env:\n      clear:\n        __proto__: polluted\n', path: 'environments.production.env.clear.__proto__', message: /the key "__proto__" is reserved/, line: 9 },
  { name: 'constructor as a clear name', kind: 'config', block: '    env:\n      clear:\n        constructor: x\n', path: 'environments.production.env.clear.constructor', message: /expected a variable name/, line: 9 },
  { name: 'a name with "="', kind: 'config', block: '    env:\n      clear:\n        "A=B": x\n', path: 'environments.production.env.clear["A=B"]', message: /expected a variable name/, line: 9 },
  { name: 'a name with a line break', kind: 'config', block: '    env:\n      secret: ["A\\nB"]\n', path: 'environments.production.env.secret[0]', message: /expected a variable name/, line: 8 },
  { name: 'a clear value with a line break', kind: 'config', block: '    env:\n      clear:\n        GREETING: "a\\nb"\n', path: 'environments.production.env.clear.GREETING', message: /one-line value/, line: 9 },
  { name: 'a clear value with a NUL', kind: 'config', block: '    env:\n      clear:\n        GREETING: "a\\0b"\n', path: 'environments.production.env.clear.GREETING', message: /without NUL/, line: 9 },
  { name: 'a hook command with a line break', kind: 'config', block: '    hooks:\n      pre-deploy: "echo a\\nrm -rf /"\n', path: 'environments.production.hooks.pre-deploy', message: /one-line command/, line: 8 },
];
