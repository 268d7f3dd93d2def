import { flashFromQuery, readNote } from './connect-note';
import { ConnectText } from './connect-text';

const english = new ConnectText('en', 'Acme');
const german = new ConnectText('de', 'Acme');

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
    expect(flashFromQuery('1', undefined, english)?.kind).toBe('ok');
    expect(flashFromQuery(undefined, 'empty', english)?.text).toBe('Write a message before sending it.');
    expect(flashFromQuery(undefined, '<script>', english)).toBeNull();
    expect(flashFromQuery(undefined, 'toString', english)).toBeNull();
    expect(flashFromQuery(['1'], undefined, english)).toBeNull();
  });

  it('speaks the page’s language and fills in the limit', () => {
    expect(flashFromQuery(undefined, 'too_long', german)?.text).toBe(
      'Eine Nachricht darf höchstens 1000 Zeichen lang sein.',
    );
    expect(flashFromQuery('1', undefined, german)?.text).toBe(
      'Ihre Nachricht wurde an den Techniker gesendet.',
    );
  });
});
