import { formatDuration, parseDuration } from '../../src/config/duration.js';

describe('durations are shown the way they are written', () => {
  test.each([
    [500, '500ms'],
    [1500, '1.5s'],
    [60_000, '1m'],
    [90_000, '1m30s'],
    [119_600, '2m'],
    [3_600_000, '1h'],
    [6 * 3_600_000, '6h'],
    [86_399_000, '24h'],
    [5_400_000, '1h30m'],
  ])('%d ms is %s (a rounded unit carries into the next one)', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  test('what formatDuration writes parses back to within its rounding', () => {
    for (const ms of [1, 999, 1000, 59_999, 60_000, 3_599_999, 3_600_000, 86_400_000]) {
      const back = parseDuration(formatDuration(ms))!;
      expect(Math.abs(back - ms)).toBeLessThanOrEqual(ms >= 3_600_000 ? 30_000 : ms >= 60_000 ? 500 : 50);
    }
  });
});
