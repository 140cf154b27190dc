import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { runAction, type ActionResult } from '../../testkit/run-action.js';
import { startReceiver, SUCCESS, visibleOutput, type Receiver } from './receivers.js';

// Secrets as a runner would hold them; none of them may appear in anything the step shows.
const DINGTALK_SECRET = 'SECd1ngtalk0secret0value';
const FEISHU_SECRET = 'feishu-signing-secret-42';
const TELEGRAM_TOKEN = '123456789:AAH-telegram-bot-token-xyz';
const WEBHOOK_SECRET = 'generic-webhook-hmac-secret';

const HOSTS = [
  { host: '10.0.0.11', status: 'deployed', from: 'v1.4.1', to: 'v1.4.2', 'duration-ms': 12_300 },
  { host: '10.0.0.12', status: 'failed', from: 'v1.4.1', to: 'v1.4.2', 'duration-ms': 61_000 },
  { host: '10.0.0.13', status: 'rolled-back', from: 'v1.4.2', to: 'v1.4.1', 'duration-ms': 4_200 },
];


function everyChannel(r: Receiver): Record<string, string> {
  return {
    channels: 'slack, dingtalk, wecom, feishu, telegram, teams, discord, webhook',
    'slack-webhook': r.url('/slack/services/T0001/B0002/slackHookSecretPath'),
    'dingtalk-webhook': r.url('/dingtalk/robot/send?access_token=dingtalkAccessToken0123'),
    'dingtalk-secret': DINGTALK_SECRET,
    'wecom-webhook': r.url('/wecom/cgi-bin/webhook/send?key=wecom-key-0a1b2c3d'),
    'feishu-webhook': r.url('/feishu/open-apis/bot/v2/hook/feishu-hook-uuid-1234'),
    'feishu-secret': FEISHU_SECRET,
    'telegram-token': TELEGRAM_TOKEN,
    'telegram-chat-id': '-100200300',
    'telegram-api-url': r.url('/telegram'),
    'teams-webhook': r.url('/teams/workflows/triggers/manual/paths/invoke?sig=teamsWorkflowSig987'),
    'discord-webhook': r.url('/discord/api/webhooks/111/discordWebhookToken555'),
    'webhook-url': r.url('/webhook/hooks/genericHookPath777'),
    'webhook-secret': WEBHOOK_SECRET,
  };
}

function secretsOf(inputs: Record<string, string>): string[] {
  const names = ['slack-webhook', 'dingtalk-webhook', 'dingtalk-secret', 'wecom-webhook', 'feishu-webhook', 'feishu-secret', 'telegram-token', 'teams-webhook', 'discord-webhook', 'webhook-url', 'webhook-secret'];
  const values = names.map((n) => inputs[n]).filter((v): v is string => !!v);
  // The credential parts of each URL on their own, too.
  const parts = ['slackHookSecretPath', 'dingtalkAccessToken0123', 'wecom-key-0a1b2c3d', 'feishu-hook-uuid-1234', 'teamsWorkflowSig987', 'discordWebhookToken555', 'genericHookPath777', 'AAH-telegram-bot-token-xyz'];
  return [...values, ...parts];
}

function expectNoSecrets(r: ActionResult, secrets: string[]): void {
  const visible = visibleOutput(r.everything);
  for (const s of secrets) expect(visible).not.toContain(s);
  // Every mask is registered before the first line the step writes.
  const lines = r.stdout.split('\n').filter(Boolean);
  const firstOther = lines.findIndex((l) => !l.startsWith('::add-mask::'));
  const lastMask = lines.map((l) => l.startsWith('::add-mask::')).lastIndexOf(true);
  expect(lastMask).toBeLessThan(firstOther);
}

const deployFailed = (r: Receiver) => ({
  ...everyChannel(r),
  status: 'failed',
  title: 'Deploy of parking to production failed',
  message: 'Health check failed on 10.0.0.12 <script>alert(1)</script> & rolled back "cleanly"',
  environment: 'production',
  version: 'v1.4.2',
  hosts: JSON.stringify(HOSTS),
  timeout: '5s',
});

describe('notify action: every channel gets its native payload', () => {
  let receiver: Receiver;
  let result: ActionResult;
  let inputs: Record<string, string>;
  const startedAt = Date.now();

  beforeAll(async () => {
    receiver = await startReceiver(SUCCESS);
    inputs = deployFailed(receiver);
    result = await runAction('notify', { inputs });
  });
  afterAll(() => receiver.close());

  const one = (prefix: string) => {
    const got = receiver.on(prefix);
    expect(got).toHaveLength(1);
    return got[0]!;
  };

  test('all eight channels are delivered and counted', () => {
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ sent: '8', failed: '0' });
    expect(result.annotations.filter((a) => a.level !== 'notice')).toEqual([]);
  });

  test('Slack: incoming-webhook Block Kit with a header, the text, facts and per-host results', () => {
    const { json, headers } = one('/slack/');
    expect(headers['content-type']).toMatch(/^application\/json/);
    expect(json.text).toBe('❌ Deploy of parking to production failed');
    expect(json.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '❌ Deploy of parking to production failed', emoji: true } });
    // Plain text goes in a plain_text object: shown exactly as written, never parsed for markup or mentions.
    expect(json.blocks[1]).toEqual({ type: 'section', text: { type: 'plain_text', text: inputs.message, emoji: true } });
    const fields = json.blocks[2].fields.map((f: { text: string }) => f.text);
    expect(fields).toEqual(
      expect.arrayContaining([
        '*Repository*\n<https://github.com/acme/parking|acme/parking>',
        '*Ref*\nmain',
        '*Commit*\n<https://github.com/acme/parking/commit/0123456789abcdef0123456789abcdef01234567|0123456>',
        '*Actor*\noctocat',
        '*Environment*\nproduction',
        '*Version*\nv1.4.2',
        '*Run*\n<https://github.com/acme/parking/actions/runs/4242|pipeline #4242>',
      ]),
    );
    for (const f of json.blocks[2].fields) expect(f.type).toBe('mrkdwn');
    expect(json.blocks[3].text.text).toBe('*Hosts*\n✅ 10.0.0.11 deployed: v1.4.1 → v1.4.2 (12.3s)\n❌ 10.0.0.12 failed: v1.4.1 → v1.4.2 (1m1s)\n↩️ 10.0.0.13 rolled-back: v1.4.2 → v1.4.1 (4.2s)');
    expect(json.blocks[4]).toEqual({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'View run' }, url: 'https://github.com/acme/parking/actions/runs/4242' }] });
  });

  test('DingTalk: markdown message signed with timestamp and sign (HMAC-SHA256 of "timestamp\\nsecret")', () => {
    const r = one('/dingtalk/');
    expect(r.query.get('access_token')).toBe('dingtalkAccessToken0123');
    const timestamp = r.query.get('timestamp')!;
    expect(Number(timestamp)).toBeGreaterThanOrEqual(startedAt);
    expect(Number(timestamp)).toBeLessThanOrEqual(Date.now());
    const expected = createHmac('sha256', DINGTALK_SECRET).update(`${timestamp}\n${DINGTALK_SECRET}`).digest('base64');
    expect(r.query.get('sign')).toBe(expected); // URLSearchParams has undone the URL encoding
    expect(r.json.msgtype).toBe('markdown');
    expect(r.json.markdown.title).toBe('❌ Deploy of parking to production failed');
    expect(r.json.markdown.text).toContain('### ❌ Deploy of parking to production failed');
    expect(r.json.markdown.text).toContain('- **Repository**: [acme/parking](https://github.com/acme/parking)');
    expect(r.json.markdown.text).toContain('- ❌ 10.0.0.12 failed: v1.4.1 → v1.4.2 (1m1s)');
  });

  test('WeCom: group-robot markdown within 4096 bytes', () => {
    const { json } = one('/wecom/');
    expect(Object.keys(json)).toEqual(['msgtype', 'markdown']);
    expect(json.msgtype).toBe('markdown');
    expect(json.markdown.content).toContain('<font color="warning">Deploy of parking to production failed</font>');
    expect(json.markdown.content).toContain('> Environment: production');
    expect(json.markdown.content).toContain('❌ 10.0.0.12 failed');
    expect(Buffer.byteLength(json.markdown.content)).toBeLessThanOrEqual(4096);
  });

  test('Feishu: interactive card with timestamp and sign in the body (HMAC-SHA256 keyed by "timestamp\\nsecret")', () => {
    const { json } = one('/feishu/');
    const timestamp = json.timestamp as string;
    expect(timestamp).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(120);
    const expected = createHmac('sha256', `${timestamp}\n${FEISHU_SECRET}`).update('').digest('base64');
    expect(json.sign).toBe(expected);
    expect(json.msg_type).toBe('interactive');
    expect(json.card.header).toEqual({ template: 'red', title: { tag: 'plain_text', content: '❌ Deploy of parking to production failed' } });
    expect(json.card.elements[0]).toEqual({ tag: 'div', text: { tag: 'plain_text', content: inputs.message } });
    expect(json.card.elements[1].fields[0]).toEqual({ is_short: true, text: { tag: 'lark_md', content: '**Repository**\n[acme/parking](https://github.com/acme/parking)' } });
    expect(JSON.stringify(json.card.elements)).toContain('10.0.0.12 failed');
    expect(json.card.elements.at(-1)).toEqual({ tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: 'View run' }, type: 'default', url: 'https://github.com/acme/parking/actions/runs/4242' }] });
  });

  test('Telegram: sendMessage on the configured Bot API server, HTML parse mode, user text escaped', () => {
    const r = one('/telegram/');
    expect(r.path).toBe(`/telegram/bot${TELEGRAM_TOKEN}/sendMessage`);
    expect(r.json.chat_id).toBe('-100200300');
    expect(r.json.parse_mode).toBe('HTML');
    expect(r.json.text).toMatch(/^<b>❌ Deploy of parking to production failed<\/b>\n\n/);
    expect(r.json.text).toContain('Health check failed on 10.0.0.12 &lt;script&gt;alert(1)&lt;/script&gt; &amp; rolled back &quot;cleanly&quot;');
    expect(r.json.text).not.toContain('<script>');
    expect(r.json.text).toContain('<b>Commit:</b> <a href="https://github.com/acme/parking/commit/0123456789abcdef0123456789abcdef01234567">0123456</a>');
    expect(r.json.text).toContain('↩️ 10.0.0.13 rolled-back: v1.4.2 → v1.4.1 (4.2s)');
  });

  test('Teams: an Adaptive Card in the Workflows message envelope', () => {
    const { json } = one('/teams/');
    expect(json.type).toBe('message');
    expect(json.attachments).toHaveLength(1);
    const [attachment] = json.attachments;
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = attachment.content;
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json' });
    expect(card.body[0]).toMatchObject({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: '❌ Deploy of parking to production failed', color: 'Attention', weight: 'Bolder' }] });
    expect(card.body[1]).toEqual({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: inputs.message }] });
    const factSet = card.body.find((b: { type: string }) => b.type === 'FactSet');
    expect(factSet.facts).toContainEqual({ title: 'Environment', value: 'production' });
    expect(JSON.stringify(card.body)).toContain('10.0.0.12 failed');
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'View run', url: 'https://github.com/acme/parking/actions/runs/4242' }]);
  });

  test('Discord: one embed, waited for, with no mentions allowed', () => {
    const r = one('/discord/');
    expect(r.query.get('wait')).toBe('true');
    expect(r.json.allowed_mentions).toEqual({ parse: [] });
    expect(r.json.embeds).toHaveLength(1);
    const [embed] = r.json.embeds;
    expect(embed.title).toBe('❌ Deploy of parking to production failed');
    // Discord reads descriptions as markdown: plain text is escaped, and renders as written.
    expect(embed.description).toBe('Health check failed on 10.0.0.12 \\<script\\>alert(1)\\</script\\> & rolled back "cleanly"');
    expect(embed.url).toBe('https://github.com/acme/parking/actions/runs/4242');
    expect(embed.color).toBe(0xe01e5a);
    expect(embed.fields).toContainEqual({ name: 'Version', value: 'v1.4.2', inline: true });
    expect(embed.fields.find((f: { name: string }) => f.name === 'Hosts').value).toContain('❌ 10.0.0.12 failed');
    expect(new Date(embed.timestamp).getTime()).toBeGreaterThanOrEqual(startedAt - 1000);
  });

  test('generic webhook: the message model as JSON, signed like GitHub webhooks', () => {
    const r = one('/webhook/');
    expect(r.json).toMatchObject({
      status: 'failure',
      title: 'Deploy of parking to production failed',
      text: inputs.message,
      repository: 'acme/parking',
      ref: 'main',
      commit: '0123456789abcdef0123456789abcdef01234567',
      actor: 'octocat',
      environment: 'production',
      version: 'v1.4.2',
      'run-url': 'https://github.com/acme/parking/actions/runs/4242',
      hosts: HOSTS,
    });
    expect(r.headers['x-parking-ci-signature-256']).toBe(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(r.body).digest('hex')}`);
  });

  test('the summary lists every channel with result, attempts and time, and never a URL', () => {
    expect(result.summary).toContain('Notifications: 8 of 8 sent');
    for (const label of ['Slack', 'DingTalk', 'WeCom', 'Feishu', 'Telegram', 'Teams', 'Discord', 'Webhook']) {
      expect(result.summary).toMatch(new RegExp(`<td>${label}</td><td>✅ sent</td><td>1</td><td>\\d+(ms|\\.\\ds|s)</td>`));
    }
    expect(result.summary).not.toContain('127.0.0.1');
  });

  test('no URL, token or secret appears in any output', () => {
    expectNoSecrets(result, secretsOf(inputs));
  });
});

describe('notify action: retries, channel errors and timeouts', () => {
  test('a receiver that answers 429 then 200 is delivered on the second attempt, after its Retry-After', async () => {
    const receiver = await startReceiver({ '/slack/': (_r, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' } : { body: 'ok' }) });
    try {
      const r = await runAction('notify', { inputs: { channels: 'slack', 'slack-webhook': receiver.url('/slack/T1/B1/secretHookPath99') } });
      expect(r.exitCode).toBe(0);
      expect(r.outputs).toMatchObject({ sent: '1', failed: '0' });
      expect(receiver.on('/slack/')).toHaveLength(2);
      expect(r.durationMs).toBeGreaterThanOrEqual(1000);
      expect(r.stdout).toContain("Slack: HTTP 429 (rate limited: Slack's limit of about one message a second per webhook); retrying in 1s (attempt 2 of 4)");
      expect(r.summary).toMatch(/<td>Slack<\/td><td>✅ sent<\/td><td>2<\/td>/);
      expectNoSecrets(r, [receiver.url('/slack/T1/B1/secretHookPath99'), 'secretHookPath99']);
    } finally {
      await receiver.close();
    }
  });

  test('a 5xx is retried with backoff; Telegram\'s retry_after in the body is honoured', async () => {
    const receiver = await startReceiver({
      '/wecom/': (_r, n) => (n === 1 ? { status: 502, body: 'bad gateway' } : { body: { errcode: 0, errmsg: 'ok' } }),
      '/tg/': (_r, n) => (n === 1 ? { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 0', parameters: { retry_after: 0 } } } : { body: { ok: true, result: {} } }),
    });
    try {
      const r = await runAction('notify', {
        inputs: { channels: 'wecom,telegram', 'wecom-webhook': receiver.url('/wecom/send?key=k-123456789'), 'telegram-token': '42:tokenTokenToken', 'telegram-chat-id': '@ops', 'telegram-api-url': receiver.url('/tg') },
      });
      expect(r.outputs).toMatchObject({ sent: '2', failed: '0' });
      // The first backoff is 1s with equal jitter: between 500ms and 1s.
      const wait = /WeCom: HTTP 502; retrying in (\d+ms|1s) \(attempt 2 of 4\)/.exec(r.stdout);
      expect(wait).not.toBeNull();
      if (wait![1] !== '1s') expect(Number(wait![1]!.slice(0, -2))).toBeGreaterThanOrEqual(500);
      expect(r.stdout).toContain('Telegram: HTTP 429 (rate limited: Telegram flood control: Too Many Requests: retry after 0); retrying in 0ms (attempt 2 of 4)');
    } finally {
      await receiver.close();
    }
  });

  test('a receiver that answers 200 with an error code is reported failed, as a warning by default', async () => {
    const receiver = await startReceiver({
      '/dingtalk/': () => ({ body: { errcode: 310000, errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]' } }),
      '/slack/': () => ({ body: 'ok' }),
    });
    try {
      const inputs = { channels: 'dingtalk,slack', 'dingtalk-webhook': receiver.url('/dingtalk/robot/send?access_token=dtToken0000111'), 'dingtalk-secret': 'SECwrongSecret000', 'slack-webhook': receiver.url('/slack/hookPath000111') };
      const r = await runAction('notify', { inputs });
      expect(r.exitCode).toBe(0);
      expect(r.outputs).toMatchObject({ sent: '1', failed: '1' });
      expect(receiver.on('/dingtalk/')).toHaveLength(1); // an error code that is not a rate limit is not retried
      expect(r.annotations).toContainEqual(
        expect.objectContaining({ level: 'warning', message: expect.stringMatching(/^DingTalk notification not delivered: errcode 310000: sign not match/) }),
      );
      expect(r.summary).toMatch(/<td>DingTalk<\/td><td>❌ failed<\/td><td>1<\/td><td>[^<]+<\/td><td>errcode 310000: sign not match/);
      expect(r.summary).toContain('<td>Slack</td><td>✅ sent</td>');
      expectNoSecrets(r, secretsOf(inputs));
    } finally {
      await receiver.close();
    }
  });

  test('with fail-on-error the step fails with one line naming the channel, never its URL', async () => {
    const receiver = await startReceiver({ '/feishu/': () => ({ body: { code: 19024, msg: 'Key Words Not Found', data: {} } }) });
    try {
      const inputs = { channels: 'feishu', 'feishu-webhook': receiver.url('/feishu/hook/feishuHookId000'), 'fail-on-error': 'true' };
      const r = await runAction('notify', { inputs });
      expect(r.exitCode).toBe(1);
      expect(r.outputs).toMatchObject({ sent: '0', failed: '1' });
      const errors = r.annotations.filter((a) => a.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toBe('1 of 1 notification(s) not delivered: Feishu (code 19024: Key Words Not Found)');
      expectNoSecrets(r, secretsOf(inputs));
    } finally {
      await receiver.close();
    }
  });

  test('Slack answering 200 with a body other than "ok" is a failure, not a silent pass', async () => {
    const receiver = await startReceiver({ '/s/': () => ({ status: 200, body: 'invalid_blocks' }) });
    try {
      const r = await runAction('notify', { inputs: { channels: 'slack', 'slack-webhook': receiver.url('/s/hookPath123456') } });
      expect(r.outputs).toMatchObject({ sent: '0', failed: '1' });
      expect(r.annotations).toContainEqual(expect.objectContaining({ level: 'warning', message: 'Slack notification not delivered: Slack answered invalid_blocks' }));
    } finally {
      await receiver.close();
    }
  });

  test('an unreachable receiver fails within the configured timeout', async () => {
    // Accepts the connection and never answers, like a webhook behind a dead proxy.
    const sockets: import('node:net').Socket[] = [];
    const silent: Server = createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/teams/workflows/sig=silentSig000111`;
    try {
      const r = await runAction('notify', { inputs: { channels: 'teams', 'teams-webhook': url, timeout: '1s' } });
      expect(r.exitCode).toBe(0);
      expect(r.outputs).toMatchObject({ sent: '0', failed: '1' });
      expect(r.durationMs).toBeLessThan(4000);
      expect(r.annotations).toContainEqual(expect.objectContaining({ level: 'warning', message: 'Teams notification not delivered: no answer within 1s (timeout; the channel may have received it)' }));
      expect(r.summary).toMatch(/<td>Teams<\/td><td>❌ failed<\/td><td>1<\/td><td>1(\.\d)?s<\/td>/);
      expectNoSecrets(r, [url, 'silentSig000111', String((silent.address() as AddressInfo).port)]);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test('a refused connection fails at once, naming the channel', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const r = await runAction('notify', { inputs: { channels: 'discord', 'discord-webhook': `http://127.0.0.1:${port}/api/webhooks/1/refusedToken00` } });
    expect(r.outputs).toMatchObject({ sent: '0', failed: '1' });
    expect(r.annotations).toContainEqual(expect.objectContaining({ level: 'warning', message: 'Discord notification not delivered: connection refused' }));
    expect(visibleOutput(r.everything)).not.toContain(String(port));
  });
});

describe('notify action: inputs are checked before anything is sent', () => {
  let receiver: Receiver;
  beforeAll(async () => (receiver = await startReceiver(SUCCESS)));
  afterAll(() => receiver.close());

  test('an unknown channel name is one clear error naming the input', async () => {
    const r = await runAction('notify', { inputs: { channels: 'slack,slak', 'slack-webhook': receiver.url('/slack/x1234567') } });
    expect(r.exitCode).toBe(1);
    expect(r.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      'input "channels": unknown channel "slak"; expected one of slack, dingtalk, wecom, feishu, telegram, teams, discord, webhook',
    ]);
    expect(receiver.received).toHaveLength(0);
  });

  test('a channel listed without its URL or token names the missing input', async () => {
    const r = await runAction('notify', { inputs: { channels: 'slack,telegram', 'slack-webhook': receiver.url('/slack/x1234567'), 'telegram-token': '1:abcdefghijk' } });
    expect(r.exitCode).toBe(1);
    expect(r.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual(['input "telegram-chat-id" is required when "channels" includes telegram']);
    expect(receiver.received).toHaveLength(0);
  });

  test('a webhook that is not a URL is named without echoing the value', async () => {
    const r = await runAction('notify', { inputs: { channels: 'wecom', 'wecom-webhook': 'not-a-url-but-a-secret' } });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0]!.message).toBe('input "wecom-webhook" is not an http(s) URL');
    expect(visibleOutput(r.everything)).not.toContain('not-a-url-but-a-secret');
  });

  test('malformed hosts JSON names the input and what it expects', async () => {
    const r = await runAction('notify', { inputs: { channels: 'slack', 'slack-webhook': receiver.url('/slack/x1234567'), hosts: '[{"host": "a"}]' } });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0]!.message).toMatch(/^input "hosts": item 1 "status": .*expected a JSON array of \{host, status, from, to, duration-ms\}$/);
    expect(receiver.received).toHaveLength(0);
  });
});
