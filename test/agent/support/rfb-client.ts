import type WebSocket from 'ws';

/** Reads exact byte counts from the binary frames of a WebSocket (an RFB stream through the relay). */
export class ByteReader {
  private buffer = Buffer.alloc(0);
  private waiter: (() => void) | undefined;

  constructor(ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      this.buffer = Buffer.concat([this.buffer, data]);
      this.waiter?.();
    });
  }

  async read(n: number, timeoutMs = 10_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.buffer.length < n) {
      if (Date.now() > deadline) throw new Error(`timed out reading ${n} bytes (have ${this.buffer.length})`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 100);
      });
    }
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }
}

/**
 * The viewer's side of RFB 3.8 with no authentication (x11vnc -nopw): version, security None,
 * ClientInit, ServerInit, then one full FramebufferUpdateRequest. Returns the greeting, the screen size
 * and the header of the first FramebufferUpdate.
 */
export async function rfbHandshake(
  ws: WebSocket,
): Promise<{ greeting: string; width: number; height: number; updateType: number; rects: number }> {
  const reader = new ByteReader(ws);
  const greeting = (await reader.read(12)).toString('latin1');
  ws.send(Buffer.from('RFB 003.008\n'), { binary: true });
  const count = (await reader.read(1))[0];
  if (count === 0) throw new Error('the VNC server refused the connection');
  const types = [...(await reader.read(count))];
  if (!types.includes(1)) throw new Error(`no "None" security type offered: ${types.join(',')}`);
  ws.send(Buffer.from([1]), { binary: true });
  const result = (await reader.read(4)).readUInt32BE(0);
  if (result !== 0) throw new Error('security handshake failed');
  ws.send(Buffer.from([1]), { binary: true }); // ClientInit: shared
  const init = await reader.read(24);
  const width = init.readUInt16BE(0);
  const height = init.readUInt16BE(2);
  await reader.read(init.readUInt32BE(20)); // desktop name
  const request = Buffer.alloc(10);
  request.writeUInt8(3, 0); // FramebufferUpdateRequest
  request.writeUInt8(0, 1); // not incremental
  request.writeUInt16BE(width, 6);
  request.writeUInt16BE(height, 8);
  ws.send(request, { binary: true });
  const header = await reader.read(4);
  return { greeting, width, height, updateType: header[0], rects: header.readUInt16BE(2) };
}
