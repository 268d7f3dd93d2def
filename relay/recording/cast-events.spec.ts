import { CAST_SLICE_BYTES, castLines } from './cast-events';

const parse = (line: Buffer): [number, string, string] =>
  JSON.parse(line.toString('utf8')) as [number, string, string];

describe('castLines', () => {
  it('splits long text into events of at most CAST_SLICE_BYTES characters at the same time', () => {
    const text = '\u0001'.repeat(CAST_SLICE_BYTES * 2 + 5);
    const lines = castLines(1500, 'o', text);
    expect(lines).toHaveLength(3);
    const events = lines.map(parse);
    expect(events.every(([at, code]) => at === 1.5 && code === 'o')).toBe(true);
    expect(events.map(([, , data]) => data.length)).toEqual([CAST_SLICE_BYTES, CAST_SLICE_BYTES, 5]);
    expect(events.map(([, , data]) => data).join('')).toBe(text);
  });

  it('never splits a surrogate pair, and gives no event for empty text', () => {
    const text = `${'a'.repeat(CAST_SLICE_BYTES - 1)}😀b`;
    const events = castLines(0, 'o', text).map(parse);
    expect(events.map(([, , data]) => data)).toEqual(['a'.repeat(CAST_SLICE_BYTES - 1), '😀b']);
    expect(castLines(0, 'o', '')).toEqual([]);
  });
});
