import { connect, type Socket } from 'node:net';

/** A connection to a local X server, set up and ready for requests (test support only). */
export interface X11Wire {
  socket: Socket;
  /** Exactly `bytes` bytes from the server (fails after 5 s of silence). */
  read(bytes: number): Promise<Buffer>;
  /** The resource-id base the server gave this client. */
  idBase: number;
  /** The first screen's root window. */
  root: number;
}

/**
 * Opens `/tmp/.X11-unix/X<n>` and speaks the connection setup: byte order 'l', protocol 11.0, no
 * authorisation (what a local Xvfb without -auth accepts). The caller sends its requests on `socket`
 * and destroys it when done. Just enough X11 for the suites' painting and monitor layouts.
 */
export async function openX11(displayNumber: number): Promise<X11Wire> {
  const socket = connect(`/tmp/.X11-unix/X${displayNumber}`);
  let received = Buffer.alloc(0);
  let waiter: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    waiter?.();
  });
  const read = async (bytes: number): Promise<Buffer> => {
    const deadline = Date.now() + 5_000;
    while (received.length < bytes) {
      if (Date.now() > deadline) throw new Error('the X server did not answer');
      await new Promise<void>((resolve) => {
        waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
    const out = received.subarray(0, bytes);
    received = received.subarray(bytes);
    return out;
  };
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  try {
    const setup = Buffer.alloc(12);
    setup.write('l', 0, 'latin1');
    setup.writeUInt16LE(11, 2);
    socket.write(setup);
    const head = await read(8);
    if (head[0] !== 1) throw new Error(`the X server refused the connection (status ${head[0]})`);
    const body = await read(head.readUInt16LE(6) * 4);
    // Offsets below are into the reply after its 8-byte head.
    const idBase = body.readUInt32LE(4);
    const vendorLength = body.readUInt16LE(16);
    const formats = body.readUInt8(21);
    const root = body.readUInt32LE(32 + Math.ceil(vendorLength / 4) * 4 + formats * 8);
    return { socket, read, idBase, root };
  } catch (err) {
    socket.destroy();
    throw err;
  }
}
