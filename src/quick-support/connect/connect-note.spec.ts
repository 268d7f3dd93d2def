import { flashFromQuery, readNote } from './connect-note';

describe('readNote', () => {
  it('trims and normalises line endings', () => {
    expect(readNote({ note: '  a\r\nb\rc  ' })).toEqual({ note: 'a\nb\nc' });
  });

  it('names the problem with anything else', () => {
    expect(readNote({ note: '   ' })).toEqual({ problem: 'empty' });
    expect(readNote({})).toEqual({ problem: 'empty' });
    expect(readNote({ note: 'x'.repeat(1001) })).toEqual({ problem: 'too_long' });
    expect(readNote({ note: 'x'.repeat(1000) })).toEqual({ note: 'x'.repeat(1000) });
    expect(readNote({ note: 'nul\u0000' })).toEqual({ problem: 'invalid' });
    expect(readNote({ note: 'rtl\u202e' })).toEqual({ problem: 'invalid' });
    expect(readNote({ note: ['a'] })).toEqual({ problem: 'invalid' });
    expect(readNote({ note: 'a', other: 'b' })).toEqual({ problem: 'invalid' });
    expect(readNote(null)).toEqual({ problem: 'invalid' });
    expect(readNote('note=a')).toEqual({ problem: 'invalid' });
  });
});

describe('flashFromQuery', () => {
  it('shows only fixed texts, never the query', () => {
    expect(flashFromQuery('1', undefined)?.kind).toBe('ok');
    expect(flashFromQuery(undefined, 'empty')?.text).toBe('Write a note before sending it.');
    expect(flashFromQuery(undefined, '<script>')).toBeNull();
    expect(flashFromQuery(undefined, 'toString')).toBeNull();
    expect(flashFromQuery(['1'], undefined)).toBeNull();
  });
});
