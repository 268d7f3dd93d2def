import { MAX_CLIENT_CUT_TEXT, RfbFilterError, RfbInputFilter, type RfbInputMode } from './rfb-input-filter';

/** Client messages byte for byte as noVNC 1.7 builds them (core/rfb.js, RFB.messages). */
const msg = {
  pixelFormat: (): Buffer =>
    Buffer.from([0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 0, 8, 16, 0, 0, 0]),
  encodings: (list: number[]): Buffer => {
    const out = Buffer.alloc(4 + 4 * list.length);
    out[0] = 2;
    out.writeUInt16BE(list.length, 2);
    list.forEach((e, i) => out.writeInt32BE(e, 4 + 4 * i));
    return out;
  },
  update: (incremental = 1): Buffer => Buffer.from([3, incremental, 0, 0, 0, 0, 4, 0, 3, 0]),
  key: (keysym: number, down: boolean): Buffer => {
    const out = Buffer.from([4, down ? 1 : 0, 0, 0, 0, 0, 0, 0]);
    out.writeUInt32BE(keysym, 4);
    return out;
  },
  qemuKey: (keysym: number, keycode: number, down: boolean): Buffer => {
    const out = Buffer.alloc(12);
    out[0] = 255;
    out.writeUInt16BE(down ? 1 : 0, 2);
    out.writeUInt32BE(keysym, 4);
    out.writeUInt32BE(keycode, 8);
    return out;
  },
  pointer: (mask: number, x: number, y: number): Buffer => {
    const out = Buffer.from([5, mask & 0x7f, 0, 0, 0, 0]);
    out.writeUInt16BE(x, 2);
    out.writeUInt16BE(y, 4);
    return out;
  },
  extPointer: (mask: number, x: number, y: number): Buffer => {
    const out = Buffer.from([5, (mask & 0x7f) | 0x80, 0, 0, 0, 0, (mask >> 7) & 0x03]);
    out.writeUInt16BE(x, 2);
    out.writeUInt16BE(y, 4);
    return out;
  },
  cutText: (text: Buffer | string, extended = false): Buffer => {
    const data = Buffer.from(text);
    const head = Buffer.from([6, 0, 0, 0, 0, 0, 0, 0]);
    head.writeInt32BE(extended ? -data.length : data.length, 4);
    return Buffer.concat([head, data]);
  },
  continuous: (): Buffer => Buffer.from([150, 1, 0, 0, 0, 0, 4, 0, 3, 0]),
  fence: (payload: Buffer): Buffer =>
    Buffer.concat([Buffer.from([248, 0, 0, 0, 0x80, 0, 0, 3, payload.length]), payload]),
  xvp: (): Buffer => Buffer.from([250, 0, 1, 2]),
  desktopSize: (): Buffer =>
    Buffer.from([251, 0, 4, 0, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 3, 0, 0, 0, 0, 0]),
};

const VERSION_38 = Buffer.from('RFB 003.008\n');
/** The viewer's side of a 3.8 handshake with security type None, then ClientInit (shared). */
const HANDSHAKE_NONE = Buffer.concat([VERSION_38, Buffer.from([1]), Buffer.from([1])]);

/** Every message noVNC 1.7 can send, with the variants that matter to the filter. */
function everyMessage(): Buffer[] {
  return [
    msg.pixelFormat(),
    msg.encodings([7, 16, 5, 0, -223, -224, -239, -308, -309, -312, -313, -316, -1063131698, 0xc3a0]),
    msg.update(0),
    msg.continuous(),
    msg.fence(Buffer.from('abc')),
    msg.fence(Buffer.alloc(0)),
    msg.pointer(0, 10, 20),
    msg.pointer(1, 11, 21),
    msg.pointer(0, 12, 22),
    msg.extPointer(0, 13, 23),
    msg.extPointer(0x100, 14, 24),
    msg.extPointer(0, 15, 25),
    msg.key(0x61, true),
    msg.key(0x61, false),
    msg.qemuKey(0x62, 0x30, true),
    msg.qemuKey(0x62, 0x30, false),
    msg.cutText('hello'),
    msg.cutText(''),
    msg.cutText(Buffer.from([0, 0, 0, 1, 0, 0, 0, 4, 1, 2, 3, 4]), true),
    msg.xvp(),
    msg.desktopSize(),
    msg.update(1),
  ];
}

const isExtPointer = (m: Buffer): boolean => m[0] === 5 && m.length === 7;
/** The extended pointer form as it leaves the filter: the 6-byte form, marker bit (and buttons 8–9) clear. */
const asPlainPointer = (m: Buffer): Buffer => Buffer.from([5, m[1] & 0x7f, m[2], m[3], m[4], m[5]]);

/** What control mode forwards for everyMessage(): all of it unchanged, but the extended pointer form. */
function controlExpected(): Buffer {
  return Buffer.concat(everyMessage().map((m) => (isExtPointer(m) ? asPlainPointer(m) : m)));
}

function filterWith(start: 'version' | 'client-init', mode: RfbInputMode = 'control') {
  const out: Buffer[] = [];
  const filter = new RfbInputFilter({ start, mode, emit: (chunk) => out.push(Buffer.from(chunk)) });
  return { filter, out, all: (): Buffer => Buffer.concat(out) };
}

/** Runs `chunks` through a fresh filter after a 3.8 None handshake; returns what it emitted for them. */
function run(chunks: Buffer[], mode: RfbInputMode = 'control'): Buffer {
  const { filter, out, all } = filterWith('version', mode);
  filter.push(HANDSHAKE_NONE);
  out.length = 0;
  for (const c of chunks) filter.push(c);
  return all();
}

function viewOnlyExpected(): Buffer {
  return Buffer.concat([
    msg.pixelFormat(),
    everyMessage()[1],
    msg.update(0),
    msg.continuous(),
    msg.fence(Buffer.from('abc')),
    msg.fence(Buffer.alloc(0)),
    msg.pointer(0, 10, 20),
    msg.pointer(0, 12, 22),
    msg.pointer(0, 13, 23), // the extended form of a move, rewritten to the 6-byte form
    msg.pointer(0, 15, 25),
    msg.xvp(),
    msg.desktopSize(),
    msg.update(1),
  ]);
}

describe('RfbInputFilter', () => {
  it('passes every message noVNC sends unchanged in control mode, in one chunk (the extended pointer aside)', () => {
    const stream = Buffer.concat(everyMessage().filter((m) => !isExtPointer(m)));
    const { filter, out } = filterWith('client-init');
    filter.push(Buffer.concat([Buffer.from([1]), stream]));
    expect(out).toHaveLength(1); // one subarray for the whole run
    expect(Buffer.concat(out)).toEqual(Buffer.concat([Buffer.from([1]), stream]));
  });

  it('hands pass-through bytes on as views of the incoming chunk, not copies', () => {
    const chunk = Buffer.concat([Buffer.from([1]), ...everyMessage().filter((m) => !isExtPointer(m))]);
    const seen: Buffer[] = [];
    const filter = new RfbInputFilter({ start: 'client-init', emit: (c) => seen.push(c) });
    filter.push(chunk);
    expect(seen[0].buffer).toBe(chunk.buffer);
  });

  it.each<RfbInputMode>(['control', 'view_only'])(
    'forwards the extended pointer form as the 6-byte form in %s mode, so every server frames the stream as the filter does',
    (mode) => {
      const { filter, all } = filterWith('client-init', mode);
      filter.push(Buffer.concat([Buffer.from([1]), msg.extPointer(0, 7, 8), msg.update()]));
      expect(all()).toEqual(Buffer.concat([Buffer.from([1]), msg.pointer(0, 7, 8), msg.update()]));
    },
  );

  it('keeps buttons 1–7 of an extended pointer press in control mode and drops buttons 8–9', () => {
    expect(run([msg.extPointer(0x101, 3, 4)])).toEqual(msg.pointer(0x01, 3, 4));
  });

  it('matches what control mode forwards for every message noVNC sends', () => {
    expect(run([Buffer.concat(everyMessage())])).toEqual(controlExpected());
  });

  it('drops exactly keys, clipboard and button presses in view-only mode', () => {
    expect(run([Buffer.concat(everyMessage())], 'view_only')).toEqual(viewOnlyExpected());
  });

  it.each<RfbInputMode>(['control', 'view_only'])(
    'gives the same output in %s mode however the stream is split in two',
    (mode) => {
      const stream = Buffer.concat([HANDSHAKE_NONE, ...everyMessage()]);
      const { filter, all } = filterWith('version', mode);
      filter.push(stream);
      const whole = all();
      for (let k = 1; k < stream.length; k++) {
        const split = filterWith('version', mode);
        split.filter.push(stream.subarray(0, k));
        split.filter.push(stream.subarray(k));
        expect([k, split.all()]).toEqual([k, whole]);
      }
    },
  );

  it.each<RfbInputMode>(['control', 'view_only'])('gives the same output in %s mode byte by byte', (mode) => {
    const stream = Buffer.concat([HANDSHAKE_NONE, ...everyMessage()]);
    const { filter, all } = filterWith('version', mode);
    for (let k = 0; k < stream.length; k++) filter.push(stream.subarray(k, k + 1));
    expect(all()).toEqual(
      Buffer.concat([HANDSHAKE_NONE, mode === 'control' ? controlExpected() : viewOnlyExpected()]),
    );
  });

  it('gives the same output for every message fragmented at each of its own byte boundaries', () => {
    for (const m of everyMessage()) {
      for (let k = 1; k < m.length; k++) {
        for (const mode of ['control', 'view_only'] as const) {
          const whole = run([m, msg.update()], mode);
          expect(run([m.subarray(0, k), Buffer.concat([m.subarray(k), msg.update()])], mode)).toEqual(whole);
        }
      }
    }
  });

  it.each([
    ['an unknown message type', Buffer.from([7, 0, 0, 0])],
    ['an unknown QEMU subtype', Buffer.from([255, 1, 0, 0])],
    ['a type noVNC never sends (ServerCutText’s number)', Buffer.from([3 + 0x80])],
    [
      'a fence payload over 64 bytes',
      Buffer.concat([Buffer.from([248, 0, 0, 0, 0, 0, 0, 0, 65]), Buffer.alloc(65)]),
    ],
  ])('closes on %s and on every later chunk', (_what, bad) => {
    const { filter } = filterWith('client-init');
    expect(() => filter.push(Buffer.concat([Buffer.from([1]), msg.update(), bad]))).toThrow(RfbFilterError);
    expect(() => filter.push(msg.update())).toThrow(RfbFilterError);
    expect(filter.error).toBeInstanceOf(RfbFilterError);
    expect(() => filter.setMode('view_only')).toThrow(RfbFilterError);
  });

  it.each([
    ['longer than the bound', MAX_CLIENT_CUT_TEXT + 1],
    ['extended, longer than the bound', -(MAX_CLIENT_CUT_TEXT + 1)],
    ['with the most negative length', -0x80000000],
    ['with the largest length', 0x7fffffff],
  ])('refuses clipboard text %s from its fixed part alone', (_what, length) => {
    const head = Buffer.from([6, 0, 0, 0, 0, 0, 0, 0]);
    head.writeInt32BE(length, 4);
    const { filter, out } = filterWith('client-init');
    filter.push(Buffer.from([1]));
    expect(() => filter.push(head)).toThrow(/clipboard text of \d+ bytes/);
    expect(Buffer.concat(out)).toEqual(Buffer.from([1]));
  });

  it.each<RfbInputMode>(['control', 'view_only'])(
    'streams clipboard text of the largest accepted size in %s mode without holding it',
    (mode) => {
      const emitted: Buffer[] = [];
      const filter = new RfbInputFilter({ start: 'client-init', mode, emit: (c) => emitted.push(c) });
      filter.push(Buffer.from([1]));
      const cut = msg.cutText(Buffer.alloc(MAX_CLIENT_CUT_TEXT, 0x41), true);
      const chunks: Buffer[] = [];
      for (let k = 0; k < cut.length; k += 65536) chunks.push(cut.subarray(k, k + 65536));
      for (const c of [...chunks, msg.update()]) filter.push(c);
      const total = Buffer.concat(emitted.slice(1));
      const expected = mode === 'control' ? Buffer.concat([cut, msg.update()]) : msg.update();
      expect(total.equals(expected)).toBe(true);
      // no emitted piece is larger than an incoming chunk: nothing was gathered up
      expect(Math.max(...emitted.map((e) => e.length))).toBeLessThanOrEqual(65536);
    },
  );

  it('releases the held button and keys once when switched to view-only', () => {
    const { filter, out, all } = filterWith('client-init');
    filter.push(
      Buffer.concat([
        Buffer.from([1]),
        msg.key(0x61, true),
        msg.key(0x62, true),
        msg.key(0x62, false),
        msg.qemuKey(0x63, 0x2e, true),
        msg.pointer(1, 30, 40),
      ]),
    );
    out.length = 0;
    filter.setMode('view_only');
    expect(all()).toEqual(
      Buffer.concat([msg.key(0x61, false), msg.qemuKey(0x63, 0x2e, false), msg.pointer(0, 30, 40)]),
    );
    out.length = 0;
    filter.setMode('control');
    filter.setMode('view_only');
    expect(out).toEqual([]); // nothing was pressed in between
  });

  it('releases nothing when nothing is pressed', () => {
    const { filter, out } = filterWith('client-init');
    filter.push(Buffer.concat([Buffer.from([1]), msg.pointer(1, 1, 1), msg.pointer(0, 2, 2)]));
    out.length = 0;
    filter.setMode('view_only');
    expect(out).toEqual([]);
  });

  it('finishes a message already partly passed in the mode it started in, then releases', () => {
    const { filter, out, all } = filterWith('client-init');
    const cut = msg.cutText('0123456789');
    filter.push(Buffer.concat([Buffer.from([1]), msg.pointer(4, 5, 6), cut.subarray(0, 12)]));
    filter.setMode('view_only');
    expect(all()).toEqual(Buffer.concat([Buffer.from([1]), msg.pointer(4, 5, 6), cut.subarray(0, 12)]));
    out.length = 0;
    filter.push(Buffer.concat([cut.subarray(12), msg.key(0x61, true), msg.pointer(0, 7, 8)]));
    expect(all()).toEqual(Buffer.concat([cut.subarray(12), msg.pointer(0, 5, 6), msg.pointer(0, 7, 8)]));
  });

  it('judges a message whose fixed part was still arriving in the new mode', () => {
    const { filter, out, all } = filterWith('client-init');
    const key = msg.key(0x61, true);
    filter.push(Buffer.concat([Buffer.from([1]), key.subarray(0, 3)]));
    filter.setMode('view_only');
    out.length = 0;
    filter.push(Buffer.concat([key.subarray(3), msg.update()]));
    expect(all()).toEqual(msg.update());
    filter.setMode('control');
    out.length = 0;
    filter.push(key);
    expect(all()).toEqual(key);
  });

  describe('the client side of the handshake (raw pipe)', () => {
    it('follows 3.8 with VNC Authentication', () => {
      const { filter, all } = filterWith('version', 'view_only');
      const stream = Buffer.concat([VERSION_38, Buffer.from([2]), Buffer.alloc(16, 9), Buffer.from([1])]);
      filter.push(Buffer.concat([stream, msg.key(0x61, true), msg.update()]));
      expect(all()).toEqual(Buffer.concat([stream, msg.update()]));
    });

    it('follows 3.3, where the server chooses the security type', () => {
      const { filter, all } = filterWith('version', 'view_only');
      expect(filter.watchingServer).toBe(true);
      filter.observeServer(Buffer.from('RFB 003.003\n\0\0'));
      filter.observeServer(Buffer.from([0, 2]));
      expect(filter.watchingServer).toBe(false);
      const stream = Buffer.concat([Buffer.from('RFB 003.003\n'), Buffer.alloc(16, 7), Buffer.from([1])]);
      for (const b of [...stream, ...msg.key(0x61, true), ...msg.update()]) filter.push(Buffer.from([b]));
      expect(all()).toEqual(Buffer.concat([stream, msg.update()]));
    });

    it('refuses 3.3 bytes sent before the server chose a security type', () => {
      const { filter } = filterWith('version');
      expect(() => filter.push(Buffer.from('RFB 003.003\n\x01'))).toThrow(/before the VNC server chose/);
    });

    it('follows 3.7 with security type None', () => {
      const { filter, all } = filterWith('version', 'view_only');
      const stream = Buffer.from('RFB 003.007\n\x01\x00');
      filter.push(Buffer.concat([stream, msg.cutText('x'), msg.update()]));
      expect(all()).toEqual(Buffer.concat([stream, msg.update()]));
    });

    it('refuses a viewer that does not speak RFB', () => {
      const { filter } = filterWith('version');
      expect(() => filter.push(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow(/does not speak RFB/);
    });

    it('passes a security type it cannot follow in control mode, and refuses view-only then', () => {
      const { filter, all } = filterWith('version');
      const stream = Buffer.concat([VERSION_38, Buffer.from([19, 0, 2]), msg.key(0x61, true)]);
      filter.push(stream);
      expect(all()).toEqual(stream);
      expect(() => filter.setMode('view_only')).toThrow(/security type 19/);
      expect(filter.mode).toBe('control');
    });

    it('refuses a security type it cannot follow when already in view-only mode', () => {
      const { filter } = filterWith('version', 'view_only');
      expect(() => filter.push(Buffer.concat([VERSION_38, Buffer.from([16])]))).toThrow(/security type 16/);
    });
  });
});
