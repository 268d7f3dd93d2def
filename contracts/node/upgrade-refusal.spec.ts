import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { writeUpgradeRefusal } from './upgrade-refusal';

describe('writeUpgradeRefusal', () => {
  let server: Server;
  let refusal: { status: number; body: object; headers?: Record<string, string | number> };

  beforeAll(async () => {
    server = createServer((_req, res) => res.end());
    server.on('upgrade', (_req, socket) =>
      writeUpgradeRefusal(socket, refusal.status, refusal.body, refusal.headers),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Asks for a WebSocket upgrade; resolves with the HTTP answer once the server has closed the socket. */
  function upgrade(): Promise<{ status?: number; headers: IncomingHttpHeaders; body: string }> {
    const { port } = server.address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const req = request({
        port,
        host: '127.0.0.1',
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13' },
      });
      req.on('error', reject);
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        const closed = new Promise((done) => res.socket.once('close', done));
        res.on('end', () => {
          void closed.then(() => resolve({ status: res.statusCode, headers: res.headers, body }));
        });
      });
      req.end();
    });
  }

  it('answers with the status, a JSON body of its byte length and the caller’s headers, then closes', async () => {
    refusal = { status: 401, body: { code: 'unauthenticated', message: 'Ü' }, headers: { 'X-Extra': 7 } };
    const answer = await upgrade();
    expect(answer).toEqual({
      status: 401,
      body: JSON.stringify(refusal.body),
      headers: expect.objectContaining({
        connection: 'close',
        'cache-control': 'no-store',
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(JSON.stringify(refusal.body))),
        'x-extra': '7',
      }),
    });
  });

  it('refuses a header that would split the response head', () => {
    const socket = new PassThrough();
    expect(() => writeUpgradeRefusal(socket, 400, {}, { 'X-Bad': 'a\r\nSet-Cookie: x=1' })).toThrow(
      /bad refusal header/,
    );
  });

  it('only destroys a socket that can no longer be written', () => {
    const socket = new PassThrough();
    socket.end();
    const destroy = jest.spyOn(socket, 'destroy');
    writeUpgradeRefusal(socket, 503, { code: 'x' });
    expect(destroy).toHaveBeenCalled();
  });
});
