import { InputActivity, keysymText, parseRfbClientMessages } from '../../client/src/app/recordings/rfb-input';

/** RFB client messages as noVNC sends them. */
const key = (down: boolean, keysym: number): number[] => [
  4,
  down ? 1 : 0,
  0,
  0,
  (keysym >>> 24) & 255,
  (keysym >>> 16) & 255,
  (keysym >>> 8) & 255,
  keysym & 255,
];
const pointer = (buttons: number, x: number, y: number): number[] => [
  5,
  buttons,
  x >> 8,
  x & 255,
  y >> 8,
  y & 255,
];
const updateRequest = (): number[] => [3, 1, 0, 0, 0, 0, 4, 0, 3, 0];
const setEncodings = (n: number): number[] => [2, 0, 0, n, ...new Array<number>(4 * n).fill(7)];
const setPixelFormat = (): number[] => [0, ...new Array<number>(19).fill(0)];
const cutText = (text: string): number[] => [
  6,
  0,
  0,
  0,
  0,
  0,
  0,
  text.length,
  ...Buffer.from(text, 'latin1'),
];
const u32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
/** QEMU extended key event: type 255, subtype 0, down u16, keysym u32, keycode u32. */
const qemuKey = (down: boolean, keysym: number): number[] => [
  255,
  0,
  0,
  down ? 1 : 0,
  ...u32(keysym),
  ...u32(30),
];
const fence = (payload: number): number[] => [
  248,
  0,
  0,
  0,
  ...u32(0x80000001),
  payload,
  ...new Array<number>(payload).fill(5),
];
const setDesktopSize = (screens: number): number[] => [
  251,
  0,
  4,
  0,
  3,
  0,
  screens,
  0,
  ...new Array<number>(16 * screens).fill(1),
];
const continuousUpdates = (): number[] => [150, 1, 0, 0, 0, 0, 4, 0, 3, 0];
const xvp = (): number[] => [250, 0, 1, 2];
/** ClientCutText with the extended clipboard's negative length (-n as s32). */
const extendedCutText = (n: number): number[] => [
  6,
  0,
  0,
  0,
  ...u32(-n >>> 0),
  ...new Array<number>(n).fill(3),
];
const bytes = (...parts: number[][]): Uint8Array => Uint8Array.from(parts.flat());

describe('the recorded input parser', () => {
  it('reads key and pointer events', () => {
    expect(parseRfbClientMessages(bytes(key(true, 0x61), pointer(1, 300, 515)))).toEqual([
      { kind: 'key', down: true, keysym: 0x61 },
      { kind: 'pointer', buttons: 1, x: 300, y: 515 },
    ]);
  });

  it('skips the other client messages by their lengths', () => {
    const data = bytes(
      setPixelFormat(),
      setEncodings(3),
      updateRequest(),
      cutText('secret'),
      key(false, 0xff0d),
    );
    expect(parseRfbClientMessages(data)).toEqual([{ kind: 'key', down: false, keysym: 0xff0d }]);
  });

  it('stops at a message type it does not know, keeping what came before', () => {
    const data = bytes(key(true, 0x62), [99, 1, 2, 3], key(true, 0x63));
    expect(parseRfbClientMessages(data)).toEqual([{ kind: 'key', down: true, keysym: 0x62 }]);
  });

  it('reads the QEMU extended key event as a key event', () => {
    expect(parseRfbClientMessages(bytes(qemuKey(true, 0x61), qemuKey(false, 0x61), key(true, 0x62)))).toEqual(
      [
        { kind: 'key', down: true, keysym: 0x61 },
        { kind: 'key', down: false, keysym: 0x61 },
        { kind: 'key', down: true, keysym: 0x62 },
      ],
    );
    // Another QEMU subtype is not known: the parse stops there.
    expect(parseRfbClientMessages(bytes(key(true, 0x63), [255, 1, 0, 0], key(true, 0x64)))).toEqual([
      { kind: 'key', down: true, keysym: 0x63 },
    ]);
  });

  it('skips Fence, SetDesktopSize, EnableContinuousUpdates, xvp and extended ClientCutText by their lengths', () => {
    for (const message of [
      fence(0),
      fence(7),
      setDesktopSize(0),
      setDesktopSize(2),
      continuousUpdates(),
      xvp(),
      extendedCutText(12),
    ])
      expect(parseRfbClientMessages(bytes(key(true, 0x65), message, pointer(1, 7, 8)))).toEqual([
        { kind: 'key', down: true, keysym: 0x65 },
        { kind: 'pointer', buttons: 1, x: 7, y: 8 },
      ]);
  });

  it('stops at a message cut short', () => {
    expect(parseRfbClientMessages(bytes(key(true, 0x64), [4, 1, 0]))).toEqual([
      { kind: 'key', down: true, keysym: 0x64 },
    ]);
    expect(parseRfbClientMessages(bytes([2, 0]))).toEqual([]);
    expect(parseRfbClientMessages(bytes([6, 0, 0, 0, 0, 0, 0, 9, 65]))).toEqual([]);
    for (const cut of [
      qemuKey(true, 0x66).slice(0, 8),
      fence(4).slice(0, 10),
      setDesktopSize(1).slice(0, 20),
      [248, 0],
    ])
      expect(parseRfbClientMessages(bytes(key(true, 0x66), cut))).toEqual([
        { kind: 'key', down: true, keysym: 0x66 },
      ]);
  });

  it('reads a record that is a view into a larger buffer', () => {
    const whole = bytes([9, 9, 9], key(true, 0x41));
    expect(parseRfbClientMessages(whole.subarray(3))).toEqual([{ kind: 'key', down: true, keysym: 0x41 }]);
  });
});

describe('keysyms as text', () => {
  it('shows characters, named keys and unknown keysyms', () => {
    expect(keysymText(0x61)).toBe('a');
    expect(keysymText(0xe9)).toBe('é');
    expect(keysymText(0x010020ac)).toBe('€');
    expect(keysymText(0xff0d)).toBe('⏎');
    expect(keysymText(0xffbe)).toBe('‹ffbe›');
  });

  it('never yields a control character', () => {
    for (const keysym of [0x00, 0x07, 0x1b, 0x7f, 0x9b, 0x01000000, 0x0100001b])
      expect(keysymText(keysym)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});

describe('the input activity overlay', () => {
  it('counts key presses in the last second, not releases or modifiers', () => {
    const activity = new InputActivity(false);
    activity.push(100, bytes(key(true, 0xffe1), key(true, 0x41), key(false, 0x41), key(false, 0xffe1)));
    activity.push(400, bytes(key(true, 0x62), key(false, 0x62)));
    activity.push(900, bytes(key(true, 0x63)));
    expect(activity.snapshot(1000).keysPerSecond).toBe(3);
    expect(activity.snapshot(1200).keysPerSecond).toBe(2);
    expect(activity.snapshot(2500).keysPerSecond).toBe(0);
  });

  it('counts a click when a button goes down, not while it is held or for the wheel', () => {
    const activity = new InputActivity(false);
    activity.push(10, bytes(pointer(0, 5, 5), pointer(1, 10, 20), pointer(1, 11, 21), pointer(0, 11, 21)));
    activity.push(20, bytes(pointer(8, 11, 21), pointer(0, 11, 21), pointer(4, 40, 50)));
    const snap = activity.snapshot(30);
    expect(snap.clicks).toBe(2);
    expect(snap.lastClick).toEqual({ x: 40, y: 50, atMs: 20 });
  });

  it('never shows what was typed unless keys may be revealed', () => {
    const hidden = new InputActivity(false);
    const shown = new InputActivity(true);
    const typing = bytes(key(true, 0x68), key(false, 0x68), key(true, 0x69), key(true, 0xff0d));
    hidden.push(0, typing);
    shown.push(0, typing);
    expect(hidden.snapshot(0).typed).toBe('');
    expect(shown.snapshot(0).typed).toBe('hi⏎');
  });

  it('starts over on reset (a seek backwards replays the input)', () => {
    const activity = new InputActivity(true);
    activity.push(0, bytes(key(true, 0x61), pointer(1, 1, 1)));
    activity.reset();
    expect(activity.snapshot(0)).toEqual({ keysPerSecond: 0, clicks: 0, lastClick: null, typed: '' });
  });
});
