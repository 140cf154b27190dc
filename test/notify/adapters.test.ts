import { dingtalk } from '../../src/notify/channels/dingtalk.js';
import { discord } from '../../src/notify/channels/discord.js';
import { feishu } from '../../src/notify/channels/feishu.js';
import { slack } from '../../src/notify/channels/slack.js';
import { isLegacyConnector, teams } from '../../src/notify/channels/teams.js';
import { telegram } from '../../src/notify/channels/telegram.js';
import { wecom } from '../../src/notify/channels/wecom.js';
import { deliver, retryAfterMs, type Transport } from '../../src/notify/deliver.js';
import { maskSecret, redact } from '../../src/notify/inputs.js';
import { buildMessage, defaultTitle, type Message } from '../../src/notify/message.js';
import { escapeHtml, escapeMarkdown, fitText, TRUNCATED, truncate, utf8Bytes } from '../../src/notify/text.js';

const ENV = {
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'acme/parking',
  GITHUB_SHA: 'abcdef0123456789abcdef0123456789abcdef01',
  GITHUB_REF_NAME: 'main',
  GITHUB_ACTOR: 'octocat',
  GITHUB_RUN_ID: '7',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_WORKFLOW: 'pipeline',
};
const NOW = new Date('2025-01-02T03:04:05Z');

function message(over: Partial<Parameters<typeof buildMessage>[0]> = {}): Message {
  return buildMessage({ status: 'success', hosts: [], ...over }, ENV);
}

describe('the message model', () => {
  test('takes repository, ref, commit, actor and the run URL (with its attempt) from the runner', () => {
    const m = message({ environment: 'production', version: 'v2' });
    expect(m).toMatchObject({
      repository: 'acme/parking',
      ref: 'main',
      commit: ENV.GITHUB_SHA,
      commitUrl: `https://github.com/acme/parking/commit/${ENV.GITHUB_SHA}`,
      actor: 'octocat',
      runUrl: 'https://github.com/acme/parking/actions/runs/7/attempts/2',
      title: 'Succeeded: pipeline in acme/parking (production)',
    });
  });

  test('a pull request names its branch, not refs/pull/N/merge', () => {
    expect(buildMessage({ status: 'info', hosts: [] }, { ...ENV, GITHUB_REF_NAME: '12/merge', GITHUB_HEAD_REF: 'feature/x' }).ref).toBe('feature/x');
  });

  test('the default title says the status even without a workflow', () => {
    expect(defaultTitle('rolled-back')).toBe('Rolled back');
  });
});

describe('truncation keeps every payload within its channel limit, visibly', () => {
  const long = 'é<&>'.repeat(5000);

  test('truncate cuts whole code points and appends the marker', () => {
    expect(truncate('😀'.repeat(20), 15)).toBe(`😀😀${TRUNCATED}`);
    expect(truncate('abcdefghijklmnopqrstuvwxyz', 20)).toBe(`abcdefg${TRUNCATED}`);
    expect(truncate('short', 20)).toBe('short');
  });

  test('fitText cuts the raw text before escaping, so no entity is split', () => {
    const html = fitText(long, (t) => `<b>x</b>${escapeHtml(t)}`, (s) => s.length, 100);
    expect(html.length).toBeLessThanOrEqual(100);
    expect(html.endsWith(escapeHtml(TRUNCATED))).toBe(true);
    expect(html).not.toMatch(/&[a-z]*$/);
  });

  test('WeCom markdown stays within 4096 bytes', () => {
    const { body } = wecom.request(message({ text: long }), { channel: 'wecom', webhook: 'https://x.test/w' }, NOW);
    const content = JSON.parse(body).markdown.content as string;
    expect(utf8Bytes(content)).toBeLessThanOrEqual(4096);
    expect(content).toContain(escapeMarkdown(TRUNCATED)); // plain text is escaped, the marker with it
    expect(content).toContain('> Repository:'); // the facts survive; only the free text was cut
  });

  test('Telegram text stays within 4096 characters', () => {
    const { body } = telegram.request(message({ text: long }), { channel: 'telegram', token: 't', chatId: '1', apiUrl: 'https://api.telegram.org/' }, NOW);
    const json = JSON.parse(body);
    expect([...json.text].length).toBeLessThanOrEqual(4096);
    expect(json.text).toContain(escapeHtml(TRUNCATED));
  });

  test('Slack sections stay within 3000 characters and the header within 150', () => {
    const { body } = slack.request(message({ text: long, title: 'T'.repeat(400) }), { channel: 'slack', webhook: 'https://hooks.slack.test/x' }, NOW);
    const json = JSON.parse(body);
    expect(json.blocks[0].text.text.length).toBeLessThanOrEqual(150);
    expect(json.blocks[1].text.text.length).toBeLessThanOrEqual(3000);
    expect(json.blocks[1].text.text).toContain(TRUNCATED);
  });

  test('a Discord embed stays within its 6000-character total and 4096 description', () => {
    const hosts = Array.from({ length: 60 }, (_, i) => ({ host: `10.0.0.${i}`, status: 'deployed', from: 'v1', to: 'v2', durationMs: 1000 }));
    const { body } = discord.request(message({ text: long, hosts }), { channel: 'discord', webhook: 'https://discord.test/api/webhooks/1/t' }, NOW);
    const [embed] = JSON.parse(body).embeds;
    const total = embed.title.length + embed.description.length + embed.footer.text.length + embed.fields.reduce((n: number, f: { name: string; value: string }) => n + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(6000);
    expect(embed.description.length).toBeLessThanOrEqual(4096);
    expect(embed.fields.find((f: { name: string }) => f.name === 'Hosts').value).toContain('… and 40 more host(s)');
  });

  test('Feishu and Teams bodies stay within 20 KB and 28 KB', () => {
    const big = 'x'.repeat(50_000);
    expect(utf8Bytes(feishu.request(message({ text: big }), { channel: 'feishu', webhook: 'https://f.test/h' }, NOW).body)).toBeLessThanOrEqual(20 * 1024);
    expect(utf8Bytes(teams.request(message({ text: big }), { channel: 'teams', webhook: 'https://t.test/h' }, NOW).body)).toBeLessThanOrEqual(28 * 1024);
  });
});

describe('reading channel answers', () => {
  const reply = (status: number, body: unknown) => ({ status, body: typeof body === 'string' ? body : JSON.stringify(body) });

  test('DingTalk errcode in a 200 is a failure; its rate limit (10 minutes blocked) is named and not retried', () => {
    expect(dingtalk.verdict(reply(200, { errcode: 0, errmsg: 'ok' }), { channel: 'dingtalk', webhook: '' })).toEqual({ delivered: true });
    expect(dingtalk.verdict(reply(200, { errcode: 130101, errmsg: 'send too fast' }), { channel: 'dingtalk', webhook: '' })).toEqual({
      delivered: false,
      error: "errcode 130101: send too fast — DingTalk's limit of 20 messages a minute per robot was hit, and DingTalk then blocks the robot for 10 minutes; not retried",
    });
  });

  test('WeCom errcode in a 200 is a failure', () => {
    expect(wecom.verdict(reply(200, { errcode: 93000, errmsg: 'invalid webhook url' }), { channel: 'wecom', webhook: '' })).toMatchObject({ delivered: false, error: 'errcode 93000: invalid webhook url' });
  });

  test('Feishu: code and the older StatusCode are both read', () => {
    expect(feishu.verdict(reply(200, { StatusCode: 0, StatusMessage: 'success' }), { channel: 'feishu', webhook: '' })).toEqual({ delivered: true });
    expect(feishu.verdict(reply(200, { code: 19021, msg: 'sign match fail' }), { channel: 'feishu', webhook: '' })).toMatchObject({ delivered: false, error: 'code 19021: sign match fail' });
  });

  test('Telegram ok:false is a failure with its description', () => {
    const t = { channel: 'telegram' as const, token: '', chatId: '', apiUrl: '' };
    expect(telegram.verdict(reply(400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' }), t)).toEqual({ delivered: false, error: '400: Bad Request: chat not found' });
  });

  test('Discord: an error object is a failure, a created message is a delivery', () => {
    const d = { channel: 'discord' as const, webhook: '' };
    expect(discord.verdict(reply(200, { id: '1' }), d)).toEqual({ delivered: true });
    expect(discord.verdict(reply(404, { message: 'Unknown Webhook', code: 10015 }), d)).toEqual({ delivered: false, error: 'HTTP 404: Unknown Webhook (code 10015)' });
  });

  test('Teams: a legacy Office 365 connector answering 2xx is delivered with a warning to move to Workflows', () => {
    const legacy = 'https://acme.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456';
    expect(isLegacyConnector(legacy)).toBe(true);
    expect(isLegacyConnector('https://prod-12.westeurope.logic.azure.com/workflows/1/triggers/manual/paths/invoke')).toBe(false);
    const v = teams.verdict(reply(200, '1'), { channel: 'teams', webhook: legacy });
    expect(v).toMatchObject({ delivered: true, warning: expect.stringContaining('Workflows') });
    expect(teams.verdict(reply(200, 'Microsoft Teams endpoint returned HTTP error 413'), { channel: 'teams', webhook: legacy })).toMatchObject({ delivered: false });
  });

  test('Retry-After in seconds, as a date, or in the body', () => {
    expect(retryAfterMs('2', '')).toBe(2000);
    expect(retryAfterMs(null, JSON.stringify({ retry_after: 0.5 }))).toBe(500);
    expect(retryAfterMs(null, JSON.stringify({ ok: false, parameters: { retry_after: 3 } }))).toBe(3000);
    expect(retryAfterMs(new Date(Date.now() + 5000).toUTCString(), '')).toBeGreaterThan(3000);
    expect(retryAfterMs(null, 'nope')).toBeUndefined();
  });
});

describe('delivery', () => {
  const fakeTransport = (replies: { status: number; body: string; headers?: Record<string, string> }[]): Transport => {
    let i = 0;
    return async () => {
      const r = replies[Math.min(i++, replies.length - 1)]!;
      return { status: r.status, body: r.body, headers: r.headers ?? {} };
    };
  };
  const policy = { timeoutMs: 1000, retries: 2, backoffMs: 10, maxBackoffMs: 1000, maxWaitMs: 5000, deadlineMs: 60_000 };

  test('gives up after the configured retries, saying so', async () => {
    const waits: number[] = [];
    const d = await deliver({ channel: 'slack', webhook: 'https://h.test/x' }, message(), policy, { transport: fakeTransport([{ status: 503, body: '' }]), random: () => 1, sleep: async (ms) => void waits.push(ms) });
    expect(d).toMatchObject({ delivered: false, attempts: 3, error: 'HTTP 503 (gave up after 3 attempts)' });
    expect(waits).toEqual([10, 20]);
  });

  test('a Retry-After longer than we wait fails at once rather than hanging the job', async () => {
    const d = await deliver({ channel: 'slack', webhook: 'https://h.test/x' }, message(), policy, { transport: fakeTransport([{ status: 429, body: '', headers: { 'retry-after': '600' } }]), sleep: async () => {} });
    expect(d).toMatchObject({ delivered: false, attempts: 1 });
    expect(d.error).toContain('asked to retry after 10m');
  });

  test('4xx is not retried', async () => {
    const d = await deliver({ channel: 'slack', webhook: 'https://h.test/x' }, message(), policy, { transport: fakeTransport([{ status: 404, body: 'no_service' }]) });
    expect(d).toMatchObject({ delivered: false, attempts: 1, error: 'HTTP 404: no_service' });
  });
});

describe('secrets', () => {
  test('a webhook URL is masked whole and by its credential parts', () => {
    const masked: string[] = [];
    maskSecret('https://oapi.dingtalk.com/robot/send?access_token=abcdef123456', (s) => masked.push(s));
    expect(masked).toEqual(expect.arrayContaining(['https://oapi.dingtalk.com/robot/send?access_token=abcdef123456', 'abcdef123456']));
    const token: string[] = [];
    maskSecret('123456:AAE-secret-part', (s) => token.push(s));
    expect(token).toEqual(['123456:AAE-secret-part', 'AAE-secret-part']);
  });

  test('redact replaces the longest secret first', () => {
    expect(redact('at https://h.test/abcdefgh and /abcdefgh', ['/abcdefgh', 'https://h.test/abcdefgh'])).toBe('at *** and ***');
  });
});
