// Drives every hostile notify row through the action bundle, as the runner runs it, against local
// receivers that answer like the vendors. Besides each row's own expectations, every row proves:
// no outside text started a workflow command, and no secret input reached anything a person sees.
import { jest } from '@jest/globals';
import { SECRET_INPUTS } from '../../src/notify/inputs.js';
import { runAction } from '../../testkit/run-action.js';
import { forgedCommands, startReceiver, SUCCESS, visibleOutput } from '../notify/receivers.js';
import { cases } from './notify.cases.js';

jest.setTimeout(60_000);

describe.each(cases.map((c) => [c.name, c] as const))('hostile notify input: %s', (_name, c) => {
  test('is handled as specified', async () => {
    const receiver = await startReceiver({ ...SUCCESS, ...c.answers });
    try {
      const inputs = c.inputs(receiver.url);
      const r = await runAction('notify', { inputs, timeoutMs: 50_000 });
      const errors = r.annotations.filter((a) => a.level === 'error').map((a) => a.message);

      // Outside text starts no workflow command, and forges no annotation.
      expect(forgedCommands(r.stdout)).toEqual([]);
      expect(r.annotations.filter((a) => /^forged/.test(a.message))).toEqual([]);
      // No secret input, whole or by its credential parts, is visible anywhere.
      const visible = visibleOutput(r.everything);
      for (const name of SECRET_INPUTS) if (inputs[name]) expect(visible).not.toContain(inputs[name]!.trim());
      for (const s of c.secrets ?? []) expect(visible).not.toContain(s);
      for (const s of ['slackHookSecret0001', 'dingtalkToken00001111', 'SECdingtalkSigning0001', 'wecomKey-0000-1111', 'feishuHook-0000-1111', 'AAH-telegramToken0000', 'teamsSig00001111', 'discordToken00001111', 'genericHook00001111', 'webhookHmac0001']) {
        expect(visible).not.toContain(s);
      }

      if (c.error !== undefined) {
        expect(r.exitCode).toBe(1);
        expect(errors).toHaveLength(1);
        if (typeof c.error === 'string') expect(errors[0]).toBe(c.error);
        else expect(errors[0]).toMatch(c.error);
      } else {
        expect(errors).toEqual([]);
        expect(r.exitCode).toBe(0);
      }
      if (c.sent !== undefined) expect(r.outputs.sent).toBe(String(c.sent));
      if (c.failed !== undefined) expect(r.outputs.failed).toBe(String(c.failed));
      if (c.warning !== undefined) {
        const warnings = r.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
        expect(warnings).toContainEqual(typeof c.warning === 'string' ? c.warning : expect.stringMatching(c.warning));
      }
      if (c.requests) {
        if (Object.keys(c.requests).length === 0) expect(receiver.received).toHaveLength(0);
        for (const [prefix, n] of Object.entries(c.requests)) expect(receiver.on(prefix)).toHaveLength(n);
      }
      c.check?.(r, receiver.on);
    } finally {
      await receiver.close();
    }
  });
});
