import { parseFilesReply } from '../../../contracts/agent-protocol/files-frames';
import { fsError, sentence, shown } from './fs-errors';

/** What the viewer does with an error reply: parse it with the display rule of `message`. */
function viewerAccepts(message: string): boolean {
  return parseFilesReply(JSON.stringify({ type: 'error', id: 1, code: 'not_found', message })).ok;
}

describe('files error sentences', () => {
  const nasty = '/home/a/\u0085next\u2028line\u2029para\u202eevil\u2066iso\u2069\u0007bell\u009fend';

  it('names a path with C1 controls, separators and bidi marks in a sentence the viewer accepts', () => {
    const e = fsError(Object.assign(new Error('x'), { code: 'ENOENT' }), nasty);
    expect(viewerAccepts(e.message)).toBe(true);
    expect(e.message).toBe('Not found: /home/a/?next?line?para?evil?iso??bell?end');
    expect(viewerAccepts(sentence(`Could not read ${nasty}`))).toBe(true);
  });

  it('keeps every sentence within 500 characters, never splitting an emoji, never empty', () => {
    const long = sentence(`${'x'.repeat(499)}😀 and more`);
    expect(long.length).toBeLessThanOrEqual(500);
    expect(viewerAccepts(long)).toBe(true);
    expect(long.endsWith('x')).toBe(true);
    expect(shown(`/${'😀'.repeat(400)}`).length).toBeLessThanOrEqual(300);
    expect(viewerAccepts(sentence(''))).toBe(true);
  });
});
