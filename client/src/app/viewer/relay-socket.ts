import { relayConnectUrl, relayWebSocketProtocols } from '../../../../contracts/relay-connect';
import { RelayClose } from './relay-connection';

/**
 * One tech-side relay WebSocket for one channel of a session: dialled with the channel's token in the
 * sub-protocol list (never in the URL), binary frames as ArrayBuffers. `closed` resolves with how it
 * ended; `intentional` tells a close the viewer asked for from one the relay or the device decided.
 */
export class RelaySocket {
  readonly socket: WebSocket;
  readonly closed: Promise<RelayClose>;
  private wasOpened = false;
  private closing = false;

  constructor(relayUrl: string, sessionId: string, token: string, channel: string) {
    this.socket = new WebSocket(
      relayConnectUrl(relayUrl, { sid: sessionId, ch: channel, role: 'tech' }),
      relayWebSocketProtocols(token),
    );
    this.socket.binaryType = 'arraybuffer';
    this.socket.addEventListener('open', () => (this.wasOpened = true));
    this.closed = new Promise((resolve) => {
      this.socket.addEventListener('close', (event) => resolve({ code: event.code, opened: this.wasOpened }));
    });
  }

  get opened(): boolean {
    return this.wasOpened;
  }

  /** True once the viewer itself closed the socket (tab closing, reconnecting, session ended). */
  get intentional(): boolean {
    return this.closing;
  }

  close(): void {
    this.closing = true;
    if (this.socket.readyState === WebSocket.CONNECTING || this.socket.readyState === WebSocket.OPEN) {
      this.socket.close(1000, 'Viewer closed');
    }
  }
}
