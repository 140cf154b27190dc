// What a build prints (a Dockerfile's RUN can print anything) reaches the log a line at a time and
// never starts a workflow command, even when a command is split across two writes.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { runDocker } from '../../src/build/docker.js';

test('streamed docker output cannot forge a workflow command', async () => {
  const bin = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  // Two writes: the first ends with ':' at the start of a line, the second completes '::error::'.
  writeFileSync(join(bin, 'docker'), "#!/bin/sh\nprintf 'step 1\\n:'; sleep 0.2; printf ':error::forged\\n##[warning]x\\nlast'; sleep 0.1; printf ' line' >&2\n");
  chmodSync(join(bin, 'docker'), 0o755);
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    const run = await runDocker(['build', '.'], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, stream: true, secrets: [] });
    expect(run.code).toBe(0);
  } finally {
    spy.mockRestore();
  }
  const lines = written.join('').split(/\r\n|\r|\n/);
  expect(lines.filter((l) => /^\s*(::|##\[)/.test(l))).toEqual([]);
  expect(written.join('').replace(/\u200b/g, '')).toBe('step 1\n::error::forged\n##[warning]x\nlast line\n');
});
