import { untrusted } from '../../src/github/untrusted.js';

const startsCommand = (line: string): boolean => /^\s*(::|##\[)/.test(line);

describe('untrusted text in the log never starts a workflow command', () => {
  test.each([
    '::error::forged',
    '  ::warning file=a.py::x',
    '::stop-commands::abc',
    '##[error]old syntax',
    'ok\n::add-mask::x',
    'ok\r::set-output name=a::b',
    'ok\r\n\t::error::x',
  ])('%j', (text) => {
    const lines = untrusted(text).split(/\r\n|\r|\n/);
    expect(lines.some(startsCommand)).toBe(false);
    expect(untrusted(text).replace(/\u200b/g, '')).toBe(text);
  });

  test('ordinary text is unchanged', () => {
    expect(untrusted('migrating parking 0002 ... OK\nhost: a::b')).toBe('migrating parking 0002 ... OK\nhost: a::b');
  });
});
