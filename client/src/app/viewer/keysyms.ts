/**
 * X keysyms for typing text on the remote screen key by key (for fields that ignore the clipboard,
 * like a login prompt). Latin-1 characters are their own keysym, other characters are
 * `0x01000000 + code point` (X11 keysymdef.h), Enter and Tab are the keys of those names, and other
 * control characters are skipped.
 */
const RETURN = 0xff0d;
const TAB = 0xff09;

export function keysymsFor(text: string): number[] {
  const keysyms: number[] = [];
  for (const char of text.replace(/\r\n?/g, '\n')) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\n') keysyms.push(RETURN);
    else if (char === '\t') keysyms.push(TAB);
    else if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff)) keysyms.push(code);
    else if (code > 0xff) keysyms.push(0x01000000 + code);
  }
  return keysyms;
}
