// Hostile inputs for the notify action: each row is what a workflow passes (and how the local
// receivers answer) and what must happen. notify.test.ts drives every row through the action bundle
// as the runner runs it, and checks on every row that no outside text started a workflow command and
// that no secret reached the log, summary or outputs.
import type { ActionResult } from '../../testkit/run-action.js';
import { ANSWERS, type Received, type Responder } from '../notify/receivers.js';

export type Url = (path: string) => string;

export interface NotifyCase {
  name: string;
  inputs: (url: Url) => Record<string, string>;
  /** How the receiver answers, by path prefix; every channel's success answer by default. */
  answers?: Record<string, Responder>;
  /** Channels delivered / failed (outputs); omitted when the inputs are rejected. */
  sent?: number;
  failed?: number;
  /** The step fails with exactly this one error line. */
  error?: string | RegExp;
  /** A warning annotation matching this. */
  warning?: string | RegExp;
  /** Requests each route must have received (an input error: none at all). */
  requests?: Record<string, number>;
  /** Further values that must appear nowhere a person can see (secret inputs are always checked). */
  secrets?: string[];
  /** What the channels received, or anything else about the run. */
  check?: (r: ActionResult, got: (prefix: string) => Received[]) => void;
}

const SLACK_SECRET = 'slackHookSecret0001';
const TELEGRAM_TOKEN = '123456:AAH-telegramToken0000';

/** The inputs of one channel pointed at the receiver, plus the row's own. */
export function channel(name: string, url: Url, extra: Record<string, string> = {}): Record<string, string> {
  const hooks: Record<string, Record<string, string>> = {
    slack: { 'slack-webhook': url(`/slack/services/T0AAA1111/B0BBB2222/${SLACK_SECRET}`) },
    dingtalk: { 'dingtalk-webhook': url('/dingtalk/robot/send?access_token=dingtalkToken00001111'), 'dingtalk-secret': 'SECdingtalkSigning0001' },
    wecom: { 'wecom-webhook': url('/wecom/cgi-bin/webhook/send?key=wecomKey-0000-1111') },
    feishu: { 'feishu-webhook': url('/feishu/open-apis/bot/v2/hook/feishuHook-0000-1111'), 'feishu-secret': 'feishuSigning0001' },
    telegram: { 'telegram-token': TELEGRAM_TOKEN, 'telegram-chat-id': '-100200300', 'telegram-api-url': url('/telegram') },
    teams: { 'teams-webhook': url('/teams/workflows/abc123def456/triggers/manual/paths/invoke?sig=teamsSig00001111') },
    discord: { 'discord-webhook': url('/discord/api/webhooks/111/discordToken00001111') },
    webhook: { 'webhook-url': url('/webhook/hooks/genericHook00001111'), 'webhook-secret': 'webhookHmac0001' },
  };
  return { channels: name, ...hooks[name], ...extra };
}

/** The one request a route received, as JSON. */
const only = (got: (prefix: string) => Received[], prefix: string) => {
  const all = got(prefix);
  expect(all).toHaveLength(1);
  return all[0]!.json;
};

/** Every Slack text that Slack parses for markup and mentions: the fallback and each mrkdwn object. */
function slackParsed(json: { text: string }): string[] {
  const out = [json.text];
  JSON.stringify(json, (_k, v: unknown) => {
    if (v && typeof v === 'object' && (v as { type?: string }).type === 'mrkdwn') out.push((v as { text: string }).text);
    return v;
  });
  return out;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const inert = (r: ActionResult, text: string) => expect(r.stdout).toContain(`\u200b${text}`);

export const cases: NotifyCase[] = [
  // --- payload injection: text never changes the payload's structure ---
  {
    name: 'quotes, backslashes and newlines in the title reach the webhook exactly',
    inputs: (u) => channel('webhook', u, { title: 'a "quoted" \\ back\\slash\nsecond line' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/webhook/').title).toBe('a "quoted" \\ back\\slash\nsecond line'),
  },
  {
    name: 'JSON that tries to close the Slack payload stays text',
    inputs: (u) => channel('slack', u, { message: '"}],"text":"pwned","blocks":[{"type":"x' }),
    sent: 1,
    check: (_r, got) => {
      const json = only(got, '/slack/');
      expect(json.blocks[1].text).toEqual({ type: 'plain_text', text: '"}],"text":"pwned","blocks":[{"type":"x', emoji: true });
      expect(json.text).not.toBe('pwned');
    },
  },
  {
    name: 'a ${{ }} expression in the message is sent literally, never evaluated',
    inputs: (u) => channel('webhook', u, { message: '${{ secrets.GITHUB_TOKEN }} $(id) `id`' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/webhook/').text).toBe('${{ secrets.GITHUB_TOKEN }} $(id) `id`'),
  },
  {
    name: 'control characters in the message survive JSON encoding',
    inputs: (u) => channel('webhook', u, { message: 'bell\u0007 esc\u001b[31m tab\t del\u007f' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/webhook/').text).toBe('bell\u0007 esc\u001b[31m tab\t del\u007f'),
  },
  {
    name: 'a right-to-left override in the title is delivered as written, as plain text',
    inputs: (u) => channel('feishu', u, { title: 'deploy \u202egnp.exe' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/feishu/').card.header.title).toEqual({ tag: 'plain_text', content: 'ℹ️ deploy \u202egnp.exe' }),
  },

  // --- mentions: text from a commit message pings nobody ---
  {
    name: 'Slack: <!channel> in the title does not ping the channel (fallback text escaped)',
    inputs: (u) => channel('slack', u, { title: '<!channel> deploy done' }),
    sent: 1,
    check: (_r, got) => {
      const json = only(got, '/slack/');
      expect(json.text).toBe('ℹ️ &lt;!channel&gt; deploy done');
      for (const t of slackParsed(json)) expect(t).not.toContain('<!channel>');
    },
  },
  {
    name: 'Slack: <!here> in a markdown message is escaped in mrkdwn',
    inputs: (u) => channel('slack', u, { message: '*done* <!here>', format: 'markdown' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/slack/').blocks[1].text).toEqual({ type: 'mrkdwn', text: '*done* &lt;!here&gt;' }),
  },
  {
    name: 'Slack: a user mention and a link in the title are not parsed anywhere',
    inputs: (u) => channel('slack', u, { title: '<@U0123> <https://evil.test|click>' }),
    sent: 1,
    check: (_r, got) => {
      for (const t of slackParsed(only(got, '/slack/'))) expect(t).not.toMatch(/<@U0123>|<https:\/\/evil/);
    },
  },
  {
    name: 'Discord: @everyone and @here in the message ping nobody',
    inputs: (u) => channel('discord', u, { message: '@everyone @here deploy' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/discord/').allowed_mentions).toEqual({ parse: [] }),
  },
  {
    name: 'Discord: a role mention in the title is escaped and not allowed',
    inputs: (u) => channel('discord', u, { title: '<@&123456> release' }),
    sent: 1,
    check: (_r, got) => {
      const json = only(got, '/discord/');
      expect(json.embeds[0].title).toBe('ℹ️ \\<@&123456\\> release');
      expect(json.allowed_mentions).toEqual({ parse: [] });
    },
  },
  {
    name: 'WeCom: <@all> in a plain message is escaped',
    inputs: (u) => channel('wecom', u, { message: 'hey <@all>' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/wecom/').markdown.content).toContain('hey \\<@all\\>'),
  },
  {
    name: 'WeCom: a <@userid> mention in a markdown message is neutralised, the bold kept',
    inputs: (u) => channel('wecom', u, { message: '**done** <@zhangsan>', format: 'markdown' }),
    sent: 1,
    check: (_r, got) => {
      const content = only(got, '/wecom/').markdown.content as string;
      expect(content).toContain('**done** \\<@zhangsan>');
      expect(content).not.toMatch(/(^|[^\\])<@/);
    },
  },
  {
    name: 'Feishu: <at id=all> in a markdown message is neutralised',
    inputs: (u) => channel('feishu', u, { message: '**done** <at id=all></at>', format: 'markdown' }),
    sent: 1,
    check: (_r, got) => {
      const div = only(got, '/feishu/').card.elements[0];
      expect(div.text.tag).toBe('lark_md');
      expect(div.text.content).toBe('**done** \\<at id=all></at>');
    },
  },
  {
    name: 'Feishu: a plain message is plain_text, shown as written',
    inputs: (u) => channel('feishu', u, { message: '<at id=all></at> **x**' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/feishu/').card.elements[0]).toEqual({ tag: 'div', text: { tag: 'plain_text', content: '<at id=all></at> **x**' } }),
  },
  {
    name: 'DingTalk: @all in the message never sets isAtAll',
    inputs: (u) => channel('dingtalk', u, { message: '@all 13800000000 deploy' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/dingtalk/').at).toBeUndefined(),
  },
  {
    name: 'Telegram: a tg:// user link in the title is escaped HTML',
    inputs: (u) => channel('telegram', u, { title: '<a href="tg://user?id=1">you</a>' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/telegram/').text).toMatch(/^<b>ℹ️ &lt;a href=&quot;tg:\/\/user\?id=1&quot;&gt;you&lt;\/a&gt;<\/b>/),
  },

  // --- markdown and HTML in title and message ---
  {
    name: 'Telegram: unbalanced tags in the title cannot break the HTML parse mode',
    inputs: (u) => channel('telegram', u, { title: '</b><code>', message: '<pre>' }),
    sent: 1,
    check: (_r, got) => {
      const text = only(got, '/telegram/').text as string;
      expect(text).toContain('&lt;/b&gt;&lt;code&gt;');
      expect(text).toContain('&lt;pre&gt;');
    },
  },
  {
    name: 'Telegram: an entity written by the user is shown as written',
    inputs: (u) => channel('telegram', u, { message: 'a &amp; b' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/telegram/').text).toContain('a &amp;amp; b'),
  },
  {
    name: 'Slack: *bold* in a plain message is plain_text, not bold',
    inputs: (u) => channel('slack', u, { message: '*bold* _it_ ~s~ `c`' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/slack/').blocks[1].text).toEqual({ type: 'plain_text', text: '*bold* _it_ ~s~ `c`', emoji: true }),
  },
  {
    name: 'DingTalk: a markdown link in a plain message is escaped',
    inputs: (u) => channel('dingtalk', u, { message: '[click](https://evil.test)' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/dingtalk/').markdown.text).toContain('\\[click\\](https://evil.test)'),
  },
  {
    name: 'DingTalk: format markdown keeps the user\'s link',
    inputs: (u) => channel('dingtalk', u, { message: '[runbook](https://wiki.test/runbook)', format: 'markdown' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/dingtalk/').markdown.text).toContain('\n\n[runbook](https://wiki.test/runbook)\n\n'),
  },
  {
    name: 'Teams: **x** in a plain message goes in a TextRun (never markdown)',
    inputs: (u) => channel('teams', u, { message: '**x** [y](https://evil.test)' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/teams/').attachments[0].content.body[1]).toEqual({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: '**x** [y](https://evil.test)' }] }),
  },
  {
    name: 'Teams: format markdown uses a TextBlock',
    inputs: (u) => channel('teams', u, { message: '**x**', format: 'MARKDOWN' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/teams/').attachments[0].content.body[1]).toEqual({ type: 'TextBlock', text: '**x**', wrap: true }),
  },
  {
    name: 'Discord: a masked link in a plain message is escaped',
    inputs: (u) => channel('discord', u, { message: '[free nitro](https://evil.test)' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/discord/').embeds[0].description).toBe('\\[free nitro\\](https://evil.test)'),
  },
  {
    name: 'WeCom: a <font> tag in the title cannot recolour the message',
    inputs: (u) => channel('wecom', u, { title: '<font color="info">all good</font>', status: 'failure' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/wecom/').markdown.content).toContain('<font color="warning">\\<font color="info"\\>all good\\</font\\></font>'),
  },
  {
    name: 'the generic webhook is told which format the text is in',
    inputs: (u) => channel('webhook', u, { message: '# hi', format: 'markdown' }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/webhook/')).toMatchObject({ text: '# hi', format: 'markdown' }),
  },

  // --- huge and multi-byte text stays within each channel's limit ---
  {
    name: 'Telegram: 5000 emoji fit 4096 UTF-16 code units, cut visibly',
    inputs: (u) => channel('telegram', u, { message: '😀'.repeat(5000) }),
    sent: 1,
    check: (_r, got) => {
      const text = only(got, '/telegram/').text as string;
      expect(text.length).toBeLessThanOrEqual(4096);
      expect(text).toContain('… [truncated]');
      expect(text).not.toMatch(LONE_SURROGATE);
    },
  },
  {
    name: 'Telegram: 10000 CJK characters fit 4096',
    inputs: (u) => channel('telegram', u, { message: '部署'.repeat(5000) }),
    sent: 1,
    check: (_r, got) => expect((only(got, '/telegram/').text as string).length).toBeLessThanOrEqual(4096),
  },
  {
    name: 'Telegram: family emoji (ZWJ sequences) are never cut inside a surrogate pair',
    inputs: (u) => channel('telegram', u, { message: '👨‍👩‍👧‍👦'.repeat(1000) }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/telegram/').text).not.toMatch(LONE_SURROGATE),
  },
  {
    name: 'WeCom: 10000 CJK characters fit 4096 bytes',
    inputs: (u) => channel('wecom', u, { message: '部'.repeat(10_000) }),
    sent: 1,
    check: (_r, got) => expect(bytes(only(got, '/wecom/').markdown.content)).toBeLessThanOrEqual(4096),
  },
  {
    name: 'DingTalk: 30000 emoji fit 20000 bytes',
    inputs: (u) => channel('dingtalk', u, { message: '🚀'.repeat(30_000) }),
    sent: 1,
    check: (_r, got) => {
      const text = only(got, '/dingtalk/').markdown.text as string;
      expect(bytes(text)).toBeLessThanOrEqual(20_000);
      expect(text).not.toMatch(LONE_SURROGATE);
    },
  },
  {
    name: 'Slack: a 10000-character message fits the 3000-character section',
    inputs: (u) => channel('slack', u, { message: 'x'.repeat(10_000) }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/slack/').blocks[1].text.text.length).toBeLessThanOrEqual(3000),
  },
  {
    name: 'Slack: a 1000-character title fits the 150-character header',
    inputs: (u) => channel('slack', u, { title: 'T'.repeat(1000) }),
    sent: 1,
    check: (_r, got) => expect([...only(got, '/slack/').blocks[0].text.text].length).toBeLessThanOrEqual(150),
  },
  {
    name: 'Discord: a huge escaped message fits the 4096 description and 6000 total',
    inputs: (u) => channel('discord', u, { message: '*_'.repeat(5000), title: '#'.repeat(500) }),
    sent: 1,
    check: (_r, got) => {
      const [embed] = only(got, '/discord/').embeds;
      expect([...embed.description].length).toBeLessThanOrEqual(4096);
      expect([...embed.title].length).toBeLessThanOrEqual(256);
      const total = [...embed.title].length + [...embed.description].length + embed.footer.text.length + embed.fields.reduce((n: number, f: { name: string; value: string }) => n + f.name.length + [...f.value].length, 0);
      expect(total).toBeLessThanOrEqual(6000);
    },
  },
  {
    name: 'Feishu: 50 KB of text fits the 20 KB body',
    inputs: (u) => channel('feishu', u, { message: 'é'.repeat(50_000) }),
    sent: 1,
    check: (_r, got) => expect(bytes(got('/feishu/')[0]!.body)).toBeLessThanOrEqual(20 * 1024),
  },
  {
    name: 'Teams: 50 KB of text fits the 28 KB body',
    inputs: (u) => channel('teams', u, { message: '🙂'.repeat(20_000) }),
    sent: 1,
    check: (_r, got) => expect(bytes(got('/teams/')[0]!.body)).toBeLessThanOrEqual(28 * 1024),
  },

  // --- bad URLs are named, never echoed, never sent to ---
  ...[
    ['a javascript: URL', 'javascript:alert(1)//secretvalue01'],
    ['a file: URL', 'file:///etc/passwd?secretvalue02'],
    ['an ftp: URL', 'ftp://files.example.test/secretvalue03'],
    ['a URL with a space in the host', 'http://exa mple.test/secretvalue04'],
    ['a bare token instead of a URL', 'xoxb-secretvalue05'],
  ].map(
    ([what, value]): NotifyCase => ({
      name: `slack-webhook: ${what} is rejected without echoing it`,
      inputs: () => ({ channels: 'slack', 'slack-webhook': value! }),
      error: 'input "slack-webhook" is not an http(s) URL',
      requests: {},
      secrets: [value!.replace(/^.*(secretvalue\d+).*$/, '$1')],
    }),
  ),
  {
    name: 'telegram-api-url that is not a URL is rejected',
    inputs: (u) => channel('telegram', u, { 'telegram-api-url': 'not a url' }),
    error: 'input "telegram-api-url" is not an http(s) URL',
    requests: {},
  },
  {
    name: 'a shell command as a channel name is an unknown channel, quoted',
    inputs: () => ({ channels: 'slack;rm -rf /' }),
    error: 'input "channels": unknown channel "slack;rm -rf /"; expected one of slack, dingtalk, wecom, feishu, telegram, teams, discord, webhook',
  },
  {
    name: 'no channels at all is one clear error',
    inputs: () => ({ channels: ' , ,' }),
    error: 'input "channels" is required: a comma list of slack, dingtalk, wecom, feishu, telegram, teams, discord, webhook',
  },
  {
    name: 'a channel without its webhook names the missing input',
    inputs: () => ({ channels: 'discord' }),
    error: 'input "discord-webhook" is required when "channels" includes discord',
  },
  {
    name: 'CR LF in a webhook URL cannot add a request header',
    inputs: (u) => ({ channels: 'webhook', 'webhook-url': `${u('/webhook/hooks/crlfHook00001111')}\r\nX-Injected: yes` }),
    check: (_r, got) => {
      for (const req of got('/')) expect(req.headers['x-injected']).toBeUndefined();
    },
  },

  // --- CR, LF and workflow commands in outside text are inert in the log ---
  {
    name: 'CRLF then ::error:: in the title starts no annotation',
    inputs: (u) => channel('webhook', u, { title: 'ok\r\n::error file=x.py,line=1::forged in title' }),
    sent: 1,
    check: (r, got) => {
      inert(r, '::error file=x.py,line=1::forged in title');
      expect(only(got, '/webhook/').title).toBe('ok\r\n::error file=x.py,line=1::forged in title');
    },
  },
  {
    name: 'a bare CR before ::warning:: in the title is inert',
    inputs: (u) => channel('slack', u, { title: 'ok\r::warning::forged after CR' }),
    sent: 1,
    check: (r) => inert(r, '::warning::forged after CR'),
  },
  {
    name: '::stop-commands:: in the title cannot turn off our own annotations',
    inputs: (u) => channel('slack', u, { title: 'x\n::stop-commands::pause', 'fail-on-error': 'true' }),
    answers: { '/slack/': () => ({ status: 404, body: 'no_service' }) },
    sent: 0,
    failed: 1,
    error: '1 of 1 notification(s) not delivered: Slack (HTTP 404: no_service)',
    check: (r) => inert(r, '::stop-commands::pause'),
  },
  {
    name: 'an ::add-mask:: line in the title masks nothing',
    inputs: (u) => channel('slack', u, { title: 'x\n::add-mask::deploy' }),
    sent: 1,
    check: (r) => expect(r.stdout.split('\n')).not.toContain('::add-mask::deploy'),
  },
  {
    name: '::set-output in the title cannot change the outputs',
    inputs: (u) => channel('slack', u, { title: 'x\n::set-output name=sent::99' }),
    sent: 1,
  },
  {
    name: '##[group] in the title opens no log group',
    inputs: (u) => channel('slack', u, { title: 'x\n##[group]forged group' }),
    sent: 1,
    check: (r) => inert(r, '##[group]forged group'),
  },
  {
    name: 'a host name with a newline and ::error:: in the hosts input is inert',
    inputs: (u) => channel('webhook', u, { hosts: JSON.stringify([{ host: 'a\n::error::forged host', status: 'failed' }]) }),
    sent: 1,
    check: (_r, got) => expect(only(got, '/webhook/').hosts[0].host).toBe('a\n::error::forged host'),
  },
  {
    name: 'a vendor reply with ::error:: lines is inert in the warning and the log',
    inputs: (u) => channel('slack', u),
    answers: { '/slack/': () => ({ status: 400, body: 'bad\n::error::forged by vendor\n::stop-commands::x' }) },
    sent: 0,
    failed: 1,
    warning: /^Slack notification not delivered: HTTP 400: bad ::error::forged by vendor ::stop-commands::x$/,
  },

  // --- redirects are failures naming the location ---
  {
    name: 'a 301 to https is not followed and names the location',
    inputs: (u) => channel('slack', u),
    answers: { '/slack/': () => ANSWERS.redirect(301, 'https://hooks.slack.test/services/T0AAA1111/B0BBB2222/slackHookSecret0001') },
    sent: 0,
    failed: 1,
    requests: { '/slack/': 1 },
    warning: 'Slack notification not delivered: redirected (HTTP 301) to https://hooks.slack.test/services/***/***/***; use the final URL as the webhook',
  },
  {
    name: 'a 302 to a login page answering 200 is not a delivery',
    inputs: (u) => channel('teams', u),
    answers: { '/teams/': () => ANSWERS.redirect(302, '/login'), '/login': () => ({ body: 'welcome' }) },
    sent: 0,
    failed: 1,
    requests: { '/teams/': 1, '/login': 0 },
    warning: /^Teams notification not delivered: redirected \(HTTP 302\) to http:\/\/127\.0\.0\.1:\d+\/login; use the final URL as the webhook$/,
  },
  {
    name: 'a 307 keeps the method and body, and is still not followed',
    inputs: (u) => channel('discord', u),
    answers: { '/discord/': () => ANSWERS.redirect(307, '/elsewhere/api/webhooks/1/x'), '/elsewhere/': () => ({ body: { id: '1' } }) },
    sent: 0,
    failed: 1,
    requests: { '/elsewhere/': 0 },
  },
  {
    name: 'a 308 location carrying a token shows no query and masks secret segments',
    inputs: (u) => channel('wecom', u),
    answers: { '/wecom/': () => ANSWERS.redirect(308, 'https://qyapi.weixin.test/cgi-bin/webhook/send?key=newKey-1234-5678') },
    sent: 0,
    failed: 1,
    secrets: ['newKey-1234-5678'],
    warning: 'WeCom notification not delivered: redirected (HTTP 308) to https://qyapi.weixin.test/cgi-bin/webhook/send; use the final URL as the webhook',
  },
  {
    name: 'a 303 without a location says so',
    inputs: (u) => channel('feishu', u),
    answers: { '/feishu/': () => ({ status: 303 }) },
    sent: 0,
    failed: 1,
    warning: 'Feishu notification not delivered: redirected (HTTP 303) without a location; use the final URL as the webhook',
  },
  {
    name: 'a redirect with fail-on-error fails the step with one line',
    inputs: (u) => channel('webhook', u, { 'fail-on-error': 'true' }),
    answers: { '/webhook/': () => ANSWERS.redirect(302, '/moved') },
    sent: 0,
    failed: 1,
    error: /^1 of 1 notification\(s\) not delivered: Webhook \(redirected \(HTTP 302\) to http:\/\/127\.0\.0\.1:\d+\/moved; use the final URL as the webhook\)$/,
  },

  // --- throttling answers: fail at once or wait the real window, naming the limit ---
  {
    name: 'DingTalk 130101 fails at once naming the 20-a-minute limit and the 10-minute block',
    inputs: (u) => channel('dingtalk', u),
    answers: { '/dingtalk/': () => ANSWERS.dingtalkThrottled },
    sent: 0,
    failed: 1,
    requests: { '/dingtalk/': 1 },
    warning: "DingTalk notification not delivered: errcode 130101: send too fast, exceed 20 times per minute — DingTalk's limit of 20 messages a minute per robot was hit, and DingTalk then blocks the robot for 10 minutes; not retried",
  },
  {
    name: 'WeCom 45009 whose minute does not fit the deadline fails at once',
    inputs: (u) => channel('wecom', u, { deadline: '10s' }),
    answers: { '/wecom/': () => ANSWERS.wecomThrottled },
    sent: 0,
    failed: 1,
    requests: { '/wecom/': 1 },
    warning: "WeCom notification not delivered: errcode 45009: api freq out of limit — WeCom's limit of 20 messages a minute per robot was hit; not retried: the next attempt (in 1m) would pass the send deadline of 10s",
  },
  {
    name: 'Feishu 11232 is retried after a short backoff and delivered',
    inputs: (u) => channel('feishu', u),
    answers: { '/feishu/': (_r, n) => (n === 1 ? ANSWERS.feishuThrottled : { body: { code: 0, msg: 'success' } }) },
    sent: 1,
    requests: { '/feishu/': 2 },
    check: (r) => expect(r.stdout).toMatch(/Feishu: code 11232: .*Feishu's limit of 5 messages a second and 100 a minute per bot was hit; retrying in \d+ms \(attempt 2 of 4\)/),
  },
  {
    name: 'Feishu 9499 (Bad Request) is not retried',
    inputs: (u) => channel('feishu', u),
    answers: { '/feishu/': () => ANSWERS.feishuBadRequest },
    sent: 0,
    failed: 1,
    requests: { '/feishu/': 1 },
    warning: 'Feishu notification not delivered: code 9499: Bad Request',
  },
  {
    name: "Telegram flood control waits its retry_after and then delivers",
    inputs: (u) => channel('telegram', u),
    answers: { '/telegram/': (_r, n) => (n === 1 ? ANSWERS.telegramFlood(1) : { body: { ok: true, result: {} } }) },
    sent: 1,
    requests: { '/telegram/': 2 },
    check: (r) => expect(r.durationMs).toBeGreaterThanOrEqual(1000),
  },
  {
    name: 'Telegram flood control of an hour fails at once',
    inputs: (u) => channel('telegram', u),
    answers: { '/telegram/': () => ANSWERS.telegramFlood(3600) },
    sent: 0,
    failed: 1,
    requests: { '/telegram/': 1 },
    warning: 'Telegram notification not delivered: HTTP 429 (rate limited: Telegram flood control: Too Many Requests: retry after 3600); asked to retry after 1h, longer than we wait (1m)',
  },
  {
    name: "Discord's global limit with a fractional retry_after is waited and delivered",
    inputs: (u) => channel('discord', u),
    answers: { '/discord/': (_r, n) => (n === 1 ? ANSWERS.discord429(0.2, true) : { body: { id: '1' } }) },
    sent: 1,
    requests: { '/discord/': 2 },
    check: (r) => expect(r.stdout).toContain("Discord: HTTP 429 (rate limited: Discord's global rate limit); retrying in 200ms (attempt 2 of 4)"),
  },
  {
    name: 'Slack Retry-After of two minutes fails at once',
    inputs: (u) => channel('slack', u),
    answers: { '/slack/': () => ANSWERS.slack429(120) },
    sent: 0,
    failed: 1,
    requests: { '/slack/': 1 },
    warning: "Slack notification not delivered: HTTP 429 (rate limited: Slack's limit of about one message a second per webhook); asked to retry after 2m, longer than we wait (1m)",
  },
  {
    name: 'a Retry-After date a day away fails at once',
    inputs: (u) => channel('webhook', u),
    answers: { '/webhook/': () => ({ status: 503, headers: { 'retry-after': new Date(Date.now() + 86_400_000).toUTCString() } }) },
    sent: 0,
    failed: 1,
    requests: { '/webhook/': 1 },
    warning: /^Webhook notification not delivered: HTTP 503; asked to retry after (\d+h(\d+m)?|\d+m(\d+s)?), longer than we wait \(1m\)$/,
  },
  {
    name: 'a Retry-After that is not a number or a date falls back to the backoff',
    inputs: (u) => channel('webhook', u),
    answers: { '/webhook/': (_r, n) => (n === 1 ? { status: 503, headers: { 'retry-after': 'soon' } } : { status: 204 }) },
    sent: 1,
    requests: { '/webhook/': 2 },
  },
  {
    name: 'a 5xx forever gives up after the retries asked for',
    inputs: (u) => channel('slack', u, { retries: '1' }),
    answers: { '/slack/': () => ({ status: 503, body: 'down' }) },
    sent: 0,
    failed: 1,
    requests: { '/slack/': 2 },
    warning: 'Slack notification not delivered: HTTP 503 (gave up after 2 attempts)',
  },
  {
    name: 'Telegram group upgraded to a supergroup names the new chat id',
    inputs: (u) => channel('telegram', u),
    answers: { '/telegram/': () => ANSWERS.telegramMigrated(-1009876543210) },
    sent: 0,
    failed: 1,
    requests: { '/telegram/': 1 },
    warning: 'Telegram notification not delivered: 400: Bad Request: group chat was upgraded to a supergroup chat; the group is now a supergroup: set telegram-chat-id to -1009876543210',
  },

  // --- secrets are never printed ---
  {
    name: 'a reply that echoes the whole webhook URL is redacted',
    inputs: (u) => channel('discord', u),
    answers: { '/discord/': (r) => ({ status: 404, body: { message: `Unknown Webhook at http://x${r.path}?wait=true`, code: 10015 } }) },
    sent: 0,
    failed: 1,
    secrets: ['discordToken00001111'],
  },
  {
    name: 'a reply that echoes the access token is redacted',
    inputs: (u) => channel('dingtalk', u),
    answers: { '/dingtalk/': () => ({ body: { errcode: 300001, errmsg: 'token is not exist: dingtalkToken00001111' } }) },
    sent: 0,
    failed: 1,
    warning: 'DingTalk notification not delivered: errcode 300001: token is not exist: ***',
  },
  {
    name: 'a reply that echoes the bot token is redacted',
    inputs: (u) => channel('telegram', u),
    answers: { '/telegram/': () => ({ status: 401, body: { ok: false, error_code: 401, description: `Unauthorized: ${TELEGRAM_TOKEN}` } }) },
    sent: 0,
    failed: 1,
    warning: 'Telegram notification not delivered: 401: Unauthorized: ***',
  },
  {
    name: 'a signing secret pasted into the title is redacted from the log and summary',
    inputs: (u) => channel('feishu', u, { title: 'secret is feishuSigning0001' }),
    sent: 1,
    check: (r) => expect(r.stdout).toContain('Sending "secret is ***"'),
  },
  {
    name: 'user:password in a webhook URL never shows, the password masked',
    inputs: (u) => ({ channels: 'webhook', 'webhook-url': u('/webhook/x').replace('http://', 'http://ci:hunter2hunter2@') }),
    sent: 1,
    secrets: ['hunter2hunter2'],
    check: (r) => expect(r.stdout).toContain('::add-mask::hunter2hunter2'),
  },
  {
    name: 'public paths are not masked, so later log lines stay readable',
    inputs: (u) => channel('wecom', u),
    sent: 1,
    check: (r) => {
      const masks = r.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'));
      expect(masks).toContain('::add-mask::wecomKey-0000-1111');
      for (const m of masks) expect(m).not.toMatch(/^::add-mask::\/(cgi-bin|wecom)/);
    },
  },

  // --- other inputs ---
  ...[
    ['retries', '11', 'input "retries": expected a whole number from 0 to 10, got "11"'],
    ['retries', '-1', 'input "retries": expected a whole number from 0 to 10, got "-1"'],
    ['timeout', 'forever', 'input "timeout": expected a duration from 1ms to 5m like "10s" or "2m", got "forever"'],
    ['timeout', '600h', 'input "timeout": expected a duration from 1ms to 5m, got "600h"'],
    ['deadline', '7h', 'input "deadline": expected a duration from 1ms to 6h, got "7h"'],
    ['format', 'html', 'input "format": expected plain or markdown, got "html"'],
    ['status', 'exploded', 'input "status": expected one of success, failure, cancelled, rolled-back, started, info (or deployed, failed), got "exploded"'],
  ].map(
    ([name, value, message]): NotifyCase => ({
      name: `${name}: ${JSON.stringify(value)} is rejected before anything is sent`,
      inputs: (u) => channel('slack', u, { [name!]: value! }),
      error: message!,
      requests: {},
    }),
  ),
  {
    name: 'hosts that are not JSON are rejected before anything is sent',
    inputs: (u) => channel('slack', u, { hosts: '[{"host": "a", ' }),
    error: 'input "hosts": not valid JSON; pass the deploy action\'s hosts output (a JSON array of {host, status, from, to, duration-ms})',
    requests: {},
  },
];
