import { openX11 } from './x11-wire';

/** One monitor of a test display, in desktop pixels. */
export interface MonitorLayout {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Splits an Xvfb display into monitors the way a multi-head desktop has them: RandR 1.5 monitors
 * (RRSetMonitor, what `xrandr --setmonitor` sends), which the server's Xinerama reports as heads, so
 * `xdpyinfo -ext XINERAMA` lists them and x11vnc's `-clip xinerama<n>` shares one. (Xvfb's own
 * `+xinerama -screen 0 … -screen 1 …` puts every screen at 0,0, on top of each other.) The first
 * monitor takes the display's output, which retires the output's own whole-desktop monitor. Speaks
 * just enough of the X11 protocol (little-endian, no authentication, as a local Xvfb without -auth
 * accepts), so no xrandr is needed.
 */
export async function defineMonitors(displayNumber: number, monitors: MonitorLayout[]): Promise<void> {
  const { socket, read, root } = await openX11(displayNumber);
  const reply = async (): Promise<Buffer> => {
    const head = await read(32);
    if (head[0] === 0) throw new Error(`X error ${head[1]} (request ${head[10]}.${head.readUInt16LE(8)})`);
    return Buffer.concat([head, await read(head.readUInt32LE(4) * 4)]);
  };
  /** A request whose body is a counted string (QueryExtension, InternAtom). */
  const named = (opcode: number, name: string): Buffer => {
    const out = Buffer.alloc(8 + Math.ceil(name.length / 4) * 4);
    out.writeUInt8(opcode, 0);
    out.writeUInt16LE(out.length / 4, 2);
    out.writeUInt16LE(name.length, 4);
    out.write(name, 8, 'latin1');
    return out;
  };
  try {
    socket.write(named(98, 'RANDR')); // QueryExtension
    const extension = await reply();
    if (!extension[8]) throw new Error('the X server has no RandR');
    const randr = extension[9];
    const version = Buffer.alloc(12);
    version.writeUInt8(randr, 0);
    version.writeUInt8(0, 1); // RRQueryVersion 1.5
    version.writeUInt16LE(3, 2);
    version.writeUInt32LE(1, 4);
    version.writeUInt32LE(5, 8);
    socket.write(version);
    await reply();
    const resources = Buffer.alloc(8);
    resources.writeUInt8(randr, 0);
    resources.writeUInt8(25, 1); // RRGetScreenResourcesCurrent
    resources.writeUInt16LE(2, 2);
    resources.writeUInt32LE(root, 4);
    socket.write(resources);
    const screen = await reply();
    const output = screen.readUInt32LE(32 + screen.readUInt16LE(16) * 4);

    for (const [i, m] of monitors.entries()) {
      socket.write(named(16, `QS-MONITOR-${i}`)); // InternAtom
      const name = (await reply()).readUInt32LE(8);
      const outputs = i === 0 ? [output] : [];
      const request = Buffer.alloc(32 + outputs.length * 4);
      request.writeUInt8(randr, 0);
      request.writeUInt8(43, 1); // RRSetMonitor
      request.writeUInt16LE(request.length / 4, 2);
      request.writeUInt32LE(root, 4);
      request.writeUInt32LE(name, 8);
      request.writeUInt8(i === 0 ? 1 : 0, 12); // primary
      request.writeUInt8(0, 13); // automatic
      request.writeUInt16LE(outputs.length, 14);
      request.writeInt16LE(m.x, 16);
      request.writeInt16LE(m.y, 18);
      request.writeUInt16LE(m.width, 20);
      request.writeUInt16LE(m.height, 22);
      request.writeUInt32LE(Math.round(m.width / 4), 24); // millimetres: any plausible size
      request.writeUInt32LE(Math.round(m.height / 4), 28);
      outputs.forEach((o, k) => request.writeUInt32LE(o, 32 + k * 4));
      socket.write(request);
    }
    socket.write(Buffer.from([43, 0, 1, 0])); // GetInputFocus: its reply means all of the above is done
    await reply();
  } finally {
    socket.destroy();
  }
}
