/*
 * A WebSocket-like channel noVNC reads a recording from (noVNC 1.7's RFB accepts any object with a
 * WebSocket's readyState, binaryType, protocol, send, close and on* handlers; core/websock.js checks
 * them by name). It is open from the start, so noVNC begins the handshake at once; the recorded
 * server stream (the agent's "RFB 003.008", security type None, SecurityResult OK, then ServerInit
 * and updates) completes it with no answer from anyone. Whatever noVNC sends (its version, security
 * choice, encodings, update requests) is dropped. Plain TypeScript, so a unit test can import it.
 */

const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

interface MessageLike {
  data: ArrayBuffer | Uint8Array;
}

export class RecordedChannel {
  binaryType = 'arraybuffer';
  readonly protocol = '';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: MessageLike) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  private state = OPEN;
  /** Bytes noVNC tried to send (dropped; counted for tests and diagnostics). */
  dropped = 0;

  get readyState(): number {
    return this.state;
  }

  /** A recorded server message, as if it had just arrived. */
  receive(data: Uint8Array): void {
    if (this.state !== OPEN) return;
    this.onmessage?.({ data });
  }

  send(data: ArrayBuffer | ArrayBufferView | string): void {
    this.dropped += typeof data === 'string' ? data.length : data.byteLength;
  }

  /**
   * Closes as a WebSocket does: CLOSING at once, then `onclose` (and CLOSED) in a microtask. noVNC
   * arms its disconnect timer after calling close(); an onclose called synchronously would come before
   * that, and noVNC would log "Disconnection timed out." 3 s later.
   */
  close(): void {
    if (this.state !== OPEN) return;
    this.state = CLOSING;
    queueMicrotask(() => {
      this.state = CLOSED;
      this.onclose?.({ code: 1000, reason: 'Playback closed', wasClean: true });
    });
  }
}
