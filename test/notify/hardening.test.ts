// notify never reports a delivery that did not happen: redirects, bounded retries, rate limits that
// cannot be retried away, one escaping policy, Telegram's limits and masking that keeps logs readable.
import { dingtalk } from '../../src/notify/channels/dingtalk.js';
import { discord } from '../../src/notify/channels/discord.js';
import { feishu } from '../../src/notify/channels/feishu.js';
import type { Target } from '../../src/notify/channels/index.js';
import { slack } from '../../src/notify/channels/slack.js';
import { teams } from '../../src/notify/channels/teams.js';
import { telegram } from '../../src/notify/channels/telegram.js';
import { webhook } from '../../src/notify/channels/webhook.js';
import { wecom } from '../../src/notify/channels/wecom.js';
import { DEFAULT_POLICY, deliver, type RawReply, type RetryPolicy, type Transport } from '../../src/notify/deliver.js';
import { maskSecret } from '../../src/notify/inputs.js';
import { buildMessage, type Message, type MessageInputs } from '../../src/notify/message.js';
import { ANSWERS, startBlackhole, startReceiver, type Reply } from './receivers.js';

const NOW = new Date('2025-01-02T03:04:05Z');
const message = (over: Partial<MessageInputs> = {}): Message => buildMessage({ status: 'failure', hosts: [], ...over }, { GITHUB_REPOSITORY: 'acme/parking' });

/** A clock that only moves when the delivery sleeps, so waits and deadlines are exact. */
function fakeTime(start = 1_000_000) {
  let t = start;
  const waits: number[] = [];
  return {
    waits,
    elapsed: () => t - start,
    deps: { now: () => new Date(t), sleep: async (ms: number) => void (waits.push(ms), (t += ms)) },
  };
}

/** Answers every request from the list (the last one repeats), as a channel would. */
function scripted(replies: Reply[], seen: number[] = []): Transport {
  let i = 0;
  return async (_request, timeoutMs) => {
    seen.push(timeoutMs);
    const r = replies[Math.min(i++, replies.length - 1)]!;
    const body = typeof r.body === 'string' ? r.body : r.body === undefined ? '' : JSON.stringify(r.body);
    const headers: RawReply['headers'] = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
    return { status: r.status ?? 200, headers, body };
  };
}

const SLACK: Target = { channel: 'slack', webhook: 'https://hooks.slack.test/services/T1/B1/x' };
const policy = (over: Partial<RetryPolicy> = {}): RetryPolicy => ({ ...DEFAULT_POLICY, ...over });

describe('a redirect is a failure that names where it pointed (item 11)', () => {
  test.each([301, 302, 307, 308])('HTTP %i is not followed, and the landing page is never asked', async (status) => {
    const receiver = await startReceiver({ '/hook/': () => ANSWERS.redirect(status, '/landing/login?next=%2Fhook'), '/landing/': () => ({ body: 'ok' }) });
    try {
      const d = await deliver({ channel: 'slack', webhook: receiver.url('/hook/T1/B1/secretPath0001') }, message(), policy({ retries: 2 }));
      expect(d.delivered).toBe(false);
      expect(d.attempts).toBe(1);
      expect(d.error).toBe(`redirected (HTTP ${status}) to ${receiver.url('/landing/login')}; use the final URL as the webhook`);
      expect(receiver.on('/landing/')).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  test('the secret parts of a redirect location are not shown', async () => {
    const d = await deliver(SLACK, message(), policy(), { transport: scripted([ANSWERS.redirect(301, 'https://hooks.slack.test/services/T0AAA1111/B0BBB2222/newSecretHookToken?token=abcdefgh1234')]) });
    expect(d.error).toBe('redirected (HTTP 301) to https://hooks.slack.test/services/***/***/***; use the final URL as the webhook');
  });
});

describe('retries are bounded: a ceiling per wait, jitter, and a deadline for the whole send (item 12)', () => {
  test('retries: 10 against a failing channel never waits more than the ceiling at a time', async () => {
    const time = fakeTime();
    const d = await deliver(SLACK, message(), policy({ retries: 10 }), { ...time.deps, random: () => 1, transport: scripted([{ status: 503 }]) });
    expect(d.delivered).toBe(false);
    for (const w of time.waits) expect(w).toBeLessThanOrEqual(DEFAULT_POLICY.maxBackoffMs);
    expect(Math.max(...time.waits)).toBe(DEFAULT_POLICY.maxBackoffMs);
    // The whole send ends by its deadline (2m by default), not after 17 minutes.
    expect(time.elapsed()).toBeLessThanOrEqual(DEFAULT_POLICY.deadlineMs);
  });

  test('waits are jittered between half and all of the exponential step', async () => {
    const low = fakeTime();
    const high = fakeTime();
    await deliver(SLACK, message(), policy({ retries: 3 }), { ...low.deps, random: () => 0, transport: scripted([{ status: 502 }]) });
    await deliver(SLACK, message(), policy({ retries: 3 }), { ...high.deps, random: () => 0.999999, transport: scripted([{ status: 502 }]) });
    expect(low.waits).toEqual([500, 1000, 2000]);
    expect(high.waits.map((w) => Math.round(w))).toEqual([1000, 2000, 4000]);
  });

  test('the deadline stops retrying and says so; no request outlives it', async () => {
    const time = fakeTime();
    const timeouts: number[] = [];
    const d = await deliver(SLACK, message(), policy({ retries: 10, deadlineMs: 5000, timeoutMs: 10_000 }), { ...time.deps, random: () => 1, transport: scripted([{ status: 503 }], timeouts) });
    expect(d.delivered).toBe(false);
    expect(d.error).toMatch(/^HTTP 503; not retried: the next attempt \(in \d+(\.\d)?s\) would pass the send deadline of 5s$/);
    expect(time.elapsed()).toBeLessThanOrEqual(5000);
    // Each request gets at most what is left of the deadline.
    expect(timeouts[0]).toBe(5000);
    for (const t of timeouts) expect(t).toBeLessThanOrEqual(5000);
  });

  test('Retry-After within the ceiling is waited exactly; beyond it the channel fails at once', async () => {
    const ok = fakeTime();
    const d1 = await deliver(SLACK, message(), policy(), { ...ok.deps, transport: scripted([ANSWERS.slack429(30), { body: 'ok' }]) });
    expect(d1).toMatchObject({ delivered: true, attempts: 2 });
    expect(ok.waits).toEqual([30_000]);

    const long = fakeTime();
    const d2 = await deliver(SLACK, message(), policy(), { ...long.deps, transport: scripted([ANSWERS.slack429(90)]) });
    expect(d2).toMatchObject({ delivered: false, attempts: 1 });
    expect(d2.error).toBe("HTTP 429 (rate limited: Slack's limit of about one message a second per webhook); asked to retry after 1m30s, longer than we wait (1m)");
    expect(long.waits).toEqual([]);
  });

  test('a Retry-After that fits the ceiling but not the deadline fails at once', async () => {
    const time = fakeTime();
    const d = await deliver(SLACK, message(), policy({ deadlineMs: 20_000 }), { ...time.deps, transport: scripted([ANSWERS.slack429(30)]) });
    expect(d.delivered).toBe(false);
    expect(d.error).toContain('not retried: the next attempt (in 30s) would pass the send deadline of 20s');
    expect(time.waits).toEqual([]);
  });
});

describe('rate limits that a quick retry cannot fix fail at once or wait out the real window (item 13)', () => {
  test('DingTalk 130101 (20 a minute, then blocked for 10 minutes) fails at once naming the limit', async () => {
    const time = fakeTime();
    const d = await deliver({ channel: 'dingtalk', webhook: 'https://oapi.dingtalk.test/robot/send?access_token=t' }, message(), policy(), { ...time.deps, transport: scripted([ANSWERS.dingtalkThrottled]) });
    expect(d).toMatchObject({ delivered: false, attempts: 1 });
    expect(d.error).toBe(
      "errcode 130101: send too fast, exceed 20 times per minute — DingTalk's limit of 20 messages a minute per robot was hit, and DingTalk then blocks the robot for 10 minutes; not retried",
    );
    expect(time.waits).toEqual([]);
  });

  test('WeCom 45009 (20 a minute) waits out the minute when it fits the deadline', async () => {
    const time = fakeTime();
    const d = await deliver({ channel: 'wecom', webhook: 'https://qyapi.weixin.test/cgi-bin/webhook/send?key=k' }, message(), policy(), {
      ...time.deps,
      transport: scripted([ANSWERS.wecomThrottled, { body: { errcode: 0, errmsg: 'ok' } }]),
    });
    expect(d).toMatchObject({ delivered: true, attempts: 2 });
    expect(time.waits).toEqual([60_000]);
  });

  test('WeCom 45009 fails at once, naming the limit, when the minute does not fit the deadline', async () => {
    const time = fakeTime();
    const d = await deliver({ channel: 'wecom', webhook: 'https://qyapi.weixin.test/cgi-bin/webhook/send?key=k' }, message(), policy({ deadlineMs: 30_000 }), {
      ...time.deps,
      transport: scripted([ANSWERS.wecomThrottled]),
    });
    expect(d).toMatchObject({ delivered: false, attempts: 1 });
    expect(d.error).toBe("errcode 45009: api freq out of limit — WeCom's limit of 20 messages a minute per robot was hit; not retried: the next attempt (in 1m) would pass the send deadline of 30s");
  });

  test('Feishu 11232 (5 a second, 100 a minute) is retried with backoff and named; 9499 (Bad Request) is not retried', async () => {
    const time = fakeTime();
    const target: Target = { channel: 'feishu', webhook: 'https://open.feishu.test/open-apis/bot/v2/hook/x' };
    const d = await deliver(target, message(), policy(), { ...time.deps, random: () => 1, transport: scripted([ANSWERS.feishuThrottled, { body: { code: 0, msg: 'success' } }]) });
    expect(d).toMatchObject({ delivered: true, attempts: 2 });
    const bad = await deliver(target, message(), policy(), { ...time.deps, transport: scripted([ANSWERS.feishuBadRequest]) });
    expect(bad).toMatchObject({ delivered: false, attempts: 1, error: 'code 9499: Bad Request' });
    expect(feishu.verdict({ status: 200, body: JSON.stringify(ANSWERS.feishuThrottled.body) }, target as never)).toMatchObject({
      delivered: false,
      retry: true,
      error: expect.stringContaining("Feishu's limit of 5 messages a second and 100 a minute per bot"),
    });
  });

  test("Feishu's gateway 429 is retried after its x-ogw-ratelimit-reset", async () => {
    const time = fakeTime();
    const d = await deliver({ channel: 'feishu', webhook: 'https://open.feishu.test/open-apis/bot/v2/hook/x' }, message(), policy(), {
      ...time.deps,
      transport: scripted([ANSWERS.feishuGateway429(3), { body: { code: 0, msg: 'success' } }]),
    });
    expect(d).toMatchObject({ delivered: true, attempts: 2 });
    expect(time.waits).toEqual([3000]);
  });

  test("Telegram's flood control waits its retry_after, and says which limit it was", async () => {
    const time = fakeTime();
    const logs: string[] = [];
    const target: Target = { channel: 'telegram', token: '1:t', chatId: '1', apiUrl: 'https://api.telegram.test' };
    const d = await deliver(target, message(), policy(), { ...time.deps, log: (l) => logs.push(l), transport: scripted([ANSWERS.telegramFlood(7), { body: { ok: true, result: {} } }]) });
    expect(d).toMatchObject({ delivered: true, attempts: 2 });
    expect(time.waits).toEqual([7000]);
    expect(logs).toEqual(['Telegram: HTTP 429 (rate limited: Telegram flood control: Too Many Requests: retry after 7); retrying in 7s (attempt 2 of 4)']);
  });

  test('Discord names a global rate limit and honours retry_after in seconds', async () => {
    const time = fakeTime();
    const target: Target = { channel: 'discord', webhook: 'https://discord.test/api/webhooks/1/t' };
    const d = await deliver(target, message(), policy(), { ...time.deps, transport: scripted([ANSWERS.discord429(2.5, true), { body: { id: '1' } }]) });
    expect(d).toMatchObject({ delivered: true, attempts: 2 });
    expect(time.waits).toEqual([2500]);
    const over = await deliver(target, message(), policy(), { ...time.deps, transport: scripted([ANSWERS.discord429(600, true)]) });
    expect(over.error).toBe("HTTP 429 (rate limited: Discord's global rate limit); asked to retry after 10m, longer than we wait (1m)");
  });
});

describe('one escaping policy: title and message are plain text unless format is markdown (item 14)', () => {
  const hostile = { title: '<!channel> *deploy* <@U123> [x](https://evil.test)', text: '**bold** _it_ <b>tag</b> <!here> @everyone <at id=all></at> <@all>' };
  const body = (ch: { request: (m: Message, t: never, now: Date) => { body: string } }, m: Message, t: unknown) => JSON.parse(ch.request(m, t as never, NOW).body);
  /** Every Slack text that Slack parses for mentions: the fallback text and each mrkdwn object (plain_text never is). */
  const slackParsed = (json: { text: string }): string[] => {
    const out = [json.text];
    JSON.stringify(json, (_k, v: unknown) => {
      if (v && typeof v === 'object' && (v as { type?: string }).type === 'mrkdwn') out.push((v as { text: string }).text);
      return v;
    });
    return out;
  };

  test("Slack: the fallback text and every block show the title and message as written, and ping nobody", () => {
    const json = body(slack, message(hostile), SLACK);
    expect(json.text).toBe('❌ &lt;!channel&gt; *deploy* &lt;@U123&gt; [x](https://evil.test)');
    for (const t of slackParsed(json)) expect(t).not.toMatch(/<!channel>|<!here>|<@U123>/);
    expect(json.blocks[0].text).toEqual({ type: 'plain_text', text: `❌ ${hostile.title}`, emoji: true });
    expect(json.blocks[1]).toEqual({ type: 'section', text: { type: 'plain_text', text: hostile.text, emoji: true } });
  });

  test('Slack with format: markdown: mrkdwn formatting works, mentions still ping nobody', () => {
    const json = body(slack, message({ ...hostile, format: 'markdown' }), SLACK);
    expect(json.blocks[1].text.type).toBe('mrkdwn');
    expect(json.blocks[1].text.text).toContain('**bold** _it_ &lt;b&gt;tag&lt;/b&gt; &lt;!here&gt;');
    for (const t of slackParsed(json)) expect(t).not.toMatch(/<!channel>|<!here>|<@U123>/);
  });

  test('DingTalk and WeCom markdown: the message is escaped unless format is markdown', () => {
    const d = body(dingtalk, message(hostile), { channel: 'dingtalk', webhook: 'https://d.test/robot/send' });
    expect(d.markdown.text).toContain('\\*\\*bold\\*\\* \\_it\\_ \\<b\\>tag\\</b\\>');
    const dm = body(dingtalk, message({ ...hostile, format: 'markdown' }), { channel: 'dingtalk', webhook: 'https://d.test/robot/send' });
    expect(dm.markdown.text).toContain('**bold** _it_');
    const w = body(wecom, message(hostile), { channel: 'wecom', webhook: 'https://w.test/send' });
    expect(w.markdown.content).toContain('\\<!channel\\> \\*deploy\\* \\<@U123\\>');
    expect(w.markdown.content).not.toMatch(/(^|[^\\])<@/);
    // Markdown formatting is the user's choice, a WeCom mention of everyone is not.
    const wm = body(wecom, message({ ...hostile, format: 'markdown' }), { channel: 'wecom', webhook: 'https://w.test/send' });
    expect(wm.markdown.content).toContain('**bold** _it_');
    expect(wm.markdown.content).not.toMatch(/(^|[^\\])<@/);
  });

  test('Feishu: plain_text unless markdown, and lark_md never carries an <at> mention', () => {
    const f = body(feishu, message(hostile), { channel: 'feishu', webhook: 'https://f.test/h' });
    expect(f.card.elements[0]).toEqual({ tag: 'div', text: { tag: 'plain_text', content: hostile.text } });
    const fm = body(feishu, message({ ...hostile, format: 'markdown' }), { channel: 'feishu', webhook: 'https://f.test/h' });
    expect(fm.card.elements[0].text.tag).toBe('lark_md');
    expect(fm.card.elements[0].text.content).toContain('**bold** _it_');
    expect(fm.card.elements[0].text.content).not.toMatch(/(^|[^\\])<at /);
  });

  test('Teams: plain text goes in TextRuns (never parsed as markdown); markdown in a TextBlock', () => {
    const card = body(teams, message(hostile), { channel: 'teams', webhook: 'https://t.test/h' }).attachments[0].content;
    expect(card.body[0]).toMatchObject({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: `❌ ${hostile.title}`, weight: 'Bolder', color: 'Attention' }] });
    expect(card.body[1]).toEqual({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: hostile.text }] });
    const md = body(teams, message({ ...hostile, format: 'markdown' }), { channel: 'teams', webhook: 'https://t.test/h' }).attachments[0].content;
    expect(md.body[1]).toEqual({ type: 'TextBlock', text: hostile.text, wrap: true });
  });

  test('Discord: markdown characters are escaped in plain text; kept with format: markdown', () => {
    const d = body(discord, message(hostile), { channel: 'discord', webhook: 'https://discord.test/api/webhooks/1/t' });
    expect(d.embeds[0].title).toBe('❌ \\<!channel\\> \\*deploy\\* \\<@U123\\> \\[x\\](https://evil.test)');
    expect(d.embeds[0].description).toBe('\\*\\*bold\\*\\* \\_it\\_ \\<b\\>tag\\</b\\> \\<!here\\> @everyone \\<at id=all\\>\\</at\\> \\<@all\\>');
    expect(d.allowed_mentions).toEqual({ parse: [] });
    const dm = body(discord, message({ ...hostile, format: 'markdown' }), { channel: 'discord', webhook: 'https://discord.test/api/webhooks/1/t' });
    expect(dm.embeds[0].description).toBe(hostile.text);
  });

  test('Telegram: HTML-escaped in both formats (markdown is shown as written); the webhook says which format', () => {
    for (const format of ['plain', 'markdown'] as const) {
      const t = body(telegram, message({ ...hostile, format }), { channel: 'telegram', token: 't', chatId: '1', apiUrl: 'https://api.telegram.test' });
      expect(t.text).toContain('**bold** _it_ &lt;b&gt;tag&lt;/b&gt;');
      expect(body(webhook, message({ ...hostile, format }), { channel: 'webhook', url: 'https://w.test' })).toMatchObject({ text: hostile.text, format });
    }
  });
});

describe('Telegram, connect timeouts and masking (item 15)', () => {
  test("Telegram's 4096 limit is counted in UTF-16 code units", () => {
    const t = body(message({ text: '😀'.repeat(5000) }));
    expect(t.text.length).toBeLessThanOrEqual(4096);
    expect(t.text).toContain('… [truncated]');
    function body(m: Message) {
      return JSON.parse(telegram.request(m, { channel: 'telegram', token: 't', chatId: '1', apiUrl: 'https://api.telegram.test' }, NOW).body);
    }
  });

  test('a group that became a supergroup names the new chat id to use', () => {
    const r = ANSWERS.telegramMigrated(-1001234567890);
    expect(telegram.verdict({ status: 400, body: JSON.stringify(r.body) }, { channel: 'telegram', token: '', chatId: '-123', apiUrl: '' })).toEqual({
      delivered: false,
      error: '400: Bad Request: group chat was upgraded to a supergroup chat; the group is now a supergroup: set telegram-chat-id to -1001234567890',
    });
  });

  test('a connection that never completes (nothing was sent) is retried; it fails naming the connect timeout', async () => {
    const hole = await startBlackhole();
    try {
      const waits: number[] = [];
      const d = await deliver({ channel: 'slack', webhook: hole.url('/hook/secretPath0001') }, message(), policy({ timeoutMs: 300, retries: 2 }), { sleep: async (ms) => void waits.push(ms) });
      expect(d).toMatchObject({ delivered: false, attempts: 3 });
      expect(d.error).toBe('could not connect within 300ms (nothing was sent) (gave up after 3 attempts)');
      expect(waits).toHaveLength(2);
    } finally {
      await hole.close();
    }
  });

  test('an answer that never comes after the request was sent is not retried (the channel may have it)', async () => {
    const receiver = await startReceiver({ '/hook/': () => 'hang' });
    try {
      const d = await deliver({ channel: 'slack', webhook: receiver.url('/hook/secretPath0001') }, message(), policy({ timeoutMs: 300, retries: 2 }), { sleep: async () => {} });
      expect(d).toMatchObject({ delivered: false, attempts: 1, error: 'no answer within 300ms (timeout; the channel may have received it)' });
    } finally {
      await receiver.close();
    }
  });

  test('an answer cut off mid-body is a failure, not retried (the channel had the whole request)', async () => {
    const receiver = await startReceiver({ '/hook/': () => 'cut' });
    try {
      const d = await deliver({ channel: 'slack', webhook: receiver.url('/hook/secretPath0001') }, message(), policy({ retries: 2 }), { sleep: async () => {} });
      expect(d).toMatchObject({ delivered: false, attempts: 1, error: 'the answer was cut off (the channel may have received it)' });
      expect(receiver.on('/hook/')).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  test.each([
    ['https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123', ['0123456789abcdef0123'], ['/robot/send', '/robot', 'https://oapi.dingtalk.com']],
    ['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa', ['693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa'], ['/cgi-bin/webhook/send']],
    ['https://hooks.slack.com/services/T0AAA1111/B0BBB2222/XXXXXXXXXXXXXXXXXXXXXXXX', ['XXXXXXXXXXXXXXXXXXXXXXXX', 'T0AAA1111', 'B0BBB2222'], ['/services', 'hooks.slack.com']],
    ['https://open.feishu.cn/open-apis/bot/v2/hook/5f0e0e3a-3b6c-4c4e-9d0e-0123456789ab', ['5f0e0e3a-3b6c-4c4e-9d0e-0123456789ab'], ['/open-apis/bot/v2/hook']],
    ['https://discord.com/api/webhooks/123456789012345678/AbCdEfGhIjKlMnOpQrStUvWxYz_0123456789-abcdefghijklmnopqrstuv', ['AbCdEfGhIjKlMnOpQrStUvWxYz_0123456789-abcdefghijklmnopqrstuv'], ['/api/webhooks']],
    [
      'https://prod-12.westeurope.logic.azure.com:443/workflows/0123456789abcdef0123456789abcdef/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=AbCdEf0123456789GhIjKl',
      ['AbCdEf0123456789GhIjKl', '0123456789abcdef0123456789abcdef'],
      ['/triggers/manual/run', '/triggers/manual/paths/invoke', '2016-06-01'],
    ],
  ])('%s: masks the secret parts, not the public path', (url, secret, pub) => {
    const masked: string[] = [];
    maskSecret(url, (s) => masked.push(s));
    expect(masked).toContain(url);
    for (const s of secret) expect(masked).toContain(s);
    for (const p of pub) expect(masked).not.toContain(p);
  });

  test('user:password in a webhook URL is masked; a bot token by its key', () => {
    const masked: string[] = [];
    maskSecret('https://ci:hunter2hunter2@hooks.example.test/notify', (s) => masked.push(s));
    expect(masked).toContain('hunter2hunter2');
    expect(masked).not.toContain('/notify');
  });
});
