import { CHAT_LIMITS, normaliseChatBody } from './chat';

describe('normaliseChatBody', () => {
  it('keeps text and line breaks, removes what a terminal or a page would act on', () => {
    expect(normaliseChatBody('  Hello,\r\nworld\r!\t:) ')).toEqual({ body: 'Hello,\nworld\n! :)' });
    expect(normaliseChatBody('a\u0000b\u0007c\u001b[2Jd\u009be')).toEqual({ body: 'abc[2Jde' });
    expect(normaliseChatBody('left\u202eright\u2066x\u2069\u200b\ufeff')).toEqual({ body: 'leftrightx' });
    expect(normaliseChatBody('one\n\n\n\n\ntwo')).toEqual({ body: 'one\n\ntwo' });
    expect(normaliseChatBody('<script>alert(1)</script>')).toEqual({ body: '<script>alert(1)</script>' });
    // Emoji sequences keep their zero-width joiners; combining marks are composed.
    expect(normaliseChatBody('👩‍💻 e\u0301')).toEqual({ body: '👩‍💻 é' });
  });

  it('counts characters, not UTF-16 units, against the bound', () => {
    const smileys = '😀'.repeat(CHAT_LIMITS.bodyMax);
    expect(normaliseChatBody(smileys)).toEqual({ body: smileys });
    expect(normaliseChatBody('x'.repeat(CHAT_LIMITS.bodyMax + 1))).toEqual({ problem: 'too_long' });
    expect(normaliseChatBody(` ${'x'.repeat(CHAT_LIMITS.bodyMax)}\u0000 `)).toEqual({
      body: 'x'.repeat(CHAT_LIMITS.bodyMax),
    });
  });

  it('refuses what is not a message', () => {
    expect(normaliseChatBody('')).toEqual({ problem: 'empty' });
    expect(normaliseChatBody(' \n\t\u0000\u202e ')).toEqual({ problem: 'empty' });
    expect(normaliseChatBody(42)).toEqual({ problem: 'not_text' });
    expect(normaliseChatBody(null)).toEqual({ problem: 'not_text' });
    expect(normaliseChatBody(' '.repeat(CHAT_LIMITS.bodyMax * 4 + 1))).toEqual({ problem: 'too_long' });
  });
});
