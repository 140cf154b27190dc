// The notify action end to end against local receivers: what the workflow log and outputs show.
import { jest } from '@jest/globals';
import { runAction } from '../../testkit/run-action.js';
import { ANSWERS, forgedCommands, startReceiver, visibleOutput } from './receivers.js';

jest.setTimeout(30_000);

describe('notify action: outside text starts no workflow command (item 2)', () => {
  test('a title, message and vendor answer full of ::error:: and ::stop-commands:: lines are printed inert', async () => {
    const receiver = await startReceiver({ '/slack/': () => ({ status: 400, body: 'invalid_payload\n::error::forged by the reply' }) });
    try {
      const r = await runAction('notify', {
        inputs: {
          channels: 'slack',
          'slack-webhook': receiver.url('/slack/T1/B1/hookPathSecret01'),
          title: 'Deploy\n::error file=app.py,line=1::forged by the title\n::stop-commands::tok3n',
          message: '::warning::forged by the message\r\n##[error]forged too',
        },
      });
      expect(r.exitCode).toBe(0);
      expect(r.annotations.map((a) => a.message).filter((m) => /^forged/.test(m))).toEqual([]);
      expect(r.annotations.filter((a) => a.level === 'error')).toEqual([]);
      expect(forgedCommands(r.stdout)).toEqual([]);
      expect(r.stdout).not.toMatch(/^::stop-commands::/m);
      // The text is still there for a reader, behind an invisible zero-width space.
      expect(r.stdout).toContain('\u200b::error file=app.py,line=1::forged by the title');
    } finally {
      await receiver.close();
    }
  });
});

describe('notify action: a redirect is never a delivery (item 11)', () => {
  test('a webhook that redirects to a page answering 200 is reported failed, naming the location', async () => {
    const receiver = await startReceiver({ '/hooks/': () => ANSWERS.redirect(302, '/login'), '/login': () => ({ body: 'ok' }) });
    try {
      const r = await runAction('notify', { inputs: { channels: 'slack', 'slack-webhook': receiver.url('/hooks/T1/B1/redirectSecret01'), 'fail-on-error': 'true' } });
      expect(r.exitCode).toBe(1);
      expect(r.outputs).toMatchObject({ sent: '0', failed: '1' });
      expect(receiver.on('/login')).toHaveLength(0);
      expect(r.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
        `1 of 1 notification(s) not delivered: Slack (redirected (HTTP 302) to ${receiver.url('/login')}; use the final URL as the webhook)`,
      ]);
    } finally {
      await receiver.close();
    }
  });
});

describe('notify action: masking keeps public URL paths readable (item 15)', () => {
  test('DingTalk: the access token is masked, /robot/send is not', async () => {
    const receiver = await startReceiver({ '/robot/send': () => ({ body: { errcode: 0, errmsg: 'ok' } }) });
    try {
      const webhook = receiver.url('/robot/send?access_token=dingtalkToken0123456789');
      const r = await runAction('notify', { inputs: { channels: 'dingtalk', 'dingtalk-webhook': webhook, 'dingtalk-secret': 'SECsigningSecret0001' } });
      const masks = r.stdout.split('\n').filter((l) => l.startsWith('::add-mask::')).map((l) => l.slice('::add-mask::'.length));
      expect(masks).toEqual(expect.arrayContaining([webhook, 'dingtalkToken0123456789', 'SECsigningSecret0001']));
      for (const m of masks) expect('/robot/send').not.toContain(m);
      expect(masks).not.toContain('/robot/send');
      expect(visibleOutput(r.everything)).not.toContain('dingtalkToken0123456789');
    } finally {
      await receiver.close();
    }
  });
});

describe('notify action: the deadline input bounds the whole send (item 12)', () => {
  test('a channel that keeps failing stops at the deadline with one line saying so', async () => {
    const receiver = await startReceiver({ '/wecom/': () => ANSWERS.wecomThrottled });
    try {
      const r = await runAction('notify', { inputs: { channels: 'wecom', 'wecom-webhook': receiver.url('/wecom/send?key=wecomKey00001111'), deadline: '5s', timeout: '2s', retries: '10' } });
      expect(r.durationMs).toBeLessThan(5000);
      expect(receiver.on('/wecom/')).toHaveLength(1);
      expect(r.annotations).toContainEqual(
        expect.objectContaining({
          level: 'warning',
          message: "WeCom notification not delivered: errcode 45009: api freq out of limit — WeCom's limit of 20 messages a minute per robot was hit; not retried: the next attempt (in 1m) would pass the send deadline of 5s",
        }),
      );
    } finally {
      await receiver.close();
    }
  });

  test('a deadline shorter than the request timeout, or not a duration, is one clear input error', async () => {
    const r = await runAction('notify', { inputs: { channels: 'slack', 'slack-webhook': 'https://hooks.slack.test/services/x', deadline: '1s', timeout: '10s' } });
    expect(r.exitCode).toBe(1);
    expect(r.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual(['input "deadline": 1s is shorter than input "timeout" (10s); the deadline bounds the whole send, every attempt and wait included']);
    const bad = await runAction('notify', { inputs: { channels: 'slack', 'slack-webhook': 'https://hooks.slack.test/services/x', format: 'html' } });
    expect(bad.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual(['input "format": expected plain or markdown, got "html"']);
  });
});
