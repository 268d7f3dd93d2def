import { createHash } from 'node:crypto';
import type WebSocket from 'ws';
import {
  encodeFilesData,
  FILES_LIMITS,
  parseFilesReply,
  type FilesListingReply,
  type FilesReply,
} from '../../../contracts/agent-protocol/files-frames';

type Reply<T extends FilesReply['type']> = Extract<FilesReply, { type: T }>;

/**
 * The viewer's side of a files channel for tests: sends requests and data frames, reads every reply
 * through the contract's own parser, and acknowledges downloads as a browser would (unless told not to).
 */
export class FilesViewer {
  private readonly replies: FilesReply[] = [];
  private readonly waiters: (() => void)[] = [];
  /** Download bytes per operation id, and how many arrived. */
  readonly data = new Map<number, Buffer[]>();
  readonly received = new Map<number, number>();
  private readonly acked = new Map<number, number>();
  autoAck = true;
  /** The most bytes any download had unacknowledged at once (flow control's bound). */
  maxInFlight = 0;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      if (isBinary) {
        const id = raw.readUInt32BE(0);
        const chunk = Buffer.from(raw.subarray(4));
        const list = this.data.get(id) ?? [];
        list.push(chunk);
        this.data.set(id, list);
        const total = (this.received.get(id) ?? 0) + chunk.length;
        this.received.set(id, total);
        this.maxInFlight = Math.max(this.maxInFlight, total - (this.acked.get(id) ?? 0));
        if (this.autoAck && total - (this.acked.get(id) ?? 0) >= FILES_LIMITS.ackEveryBytes) this.ack(id);
      } else {
        const parsed = parseFilesReply(raw.toString('utf8'));
        if (!parsed.ok) throw new Error(`the agent sent a reply the contract refuses: ${parsed.error}`);
        this.replies.push(parsed.value);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  sendData(id: number, data: Uint8Array): void {
    this.ws.send(encodeFilesData(id, data), { binary: true });
  }

  ack(id: number): void {
    const bytes = this.received.get(id) ?? 0;
    this.acked.set(id, bytes);
    this.send({ op: 'ack', id, bytes });
  }

  /** The next reply for `id` (of `type`, when given), taken from the queue. */
  async next<T extends FilesReply['type']>(id: number, type?: T, timeoutMs = 20_000): Promise<Reply<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.replies.findIndex((r) => r.id === id && (type === undefined || r.type === type));
      if (at >= 0) return this.replies.splice(at, 1)[0] as Reply<T>;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no ${type ?? 'reply'} for ${id}; queued: ${JSON.stringify(this.replies).slice(0, 500)}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The reply that ends operation `id` (an error, or the type asked for). */
  async outcome<T extends FilesReply['type']>(id: number, type: T): Promise<Reply<T> | Reply<'error'>> {
    for (;;) {
      const reply = await this.next(id);
      if (reply.type === type || reply.type === 'error') return reply as Reply<T> | Reply<'error'>;
    }
  }

  /** Waits until `bytes` of download `id` arrived. */
  async receivedAtLeast(id: number, bytes: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.received.get(id) ?? 0) < bytes) {
      if (Date.now() > deadline)
        throw new Error(`only ${this.received.get(id) ?? 0} of ${bytes} bytes arrived`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async places(id: number): Promise<Reply<'places'>> {
    this.send({ op: 'places', id });
    return this.next(id, 'places');
  }

  /** Every page of a listing, or its error. */
  async list(id: number, path: string): Promise<FilesListingReply[] | Reply<'error'>> {
    this.send({ op: 'list', id, path });
    const pages: FilesListingReply[] = [];
    for (;;) {
      const reply = await this.next(id);
      if (reply.type === 'error') return reply;
      if (reply.type !== 'listing') throw new Error(`unexpected ${reply.type}`);
      pages.push(reply);
      if (reply.done) return pages;
    }
  }

  /** A download's bytes and its last reply. */
  async download(id: number, dir: string, name: string) {
    this.send({ op: 'download', id, dir, name });
    const end = await this.outcome(id, 'download_end');
    return { end, bytes: Buffer.concat(this.data.get(id) ?? []) };
  }

  /**
   * Uploads `content` within the window the agent's acks allow; `stopAfter` stops sending (without
   * upload_end) once that many bytes are sent, for cancel and resume tests.
   */
  async upload(
    id: number,
    dir: string,
    name: string,
    content: Buffer,
    options: { resumeKey?: string; overwrite?: boolean; stopAfter?: number; sha256?: string } = {},
  ): Promise<{
    ready: Reply<'upload_ready'> | Reply<'error'>;
    end?: Reply<'done'> | Reply<'error'>;
    sent: number;
  }> {
    this.send({
      op: 'upload',
      id,
      dir,
      name,
      size: content.length,
      overwrite: options.overwrite ?? false,
      resumeKey: options.resumeKey ?? 'resume-key-0000000001',
    });
    const ready = await this.outcome(id, 'upload_ready');
    if (ready.type === 'error') return { ready, sent: 0 };
    let sent = ready.offset;
    let acked = ready.offset;
    while (sent < content.length) {
      if (options.stopAfter !== undefined && sent >= options.stopAfter) return { ready, sent };
      const n = Math.min(FILES_LIMITS.chunkBytes, content.length - sent);
      while (sent + n - acked > FILES_LIMITS.windowBytes) {
        const ack = await this.outcome(id, 'ack');
        if (ack.type === 'error') return { ready, end: ack, sent };
        acked = ack.bytes;
      }
      this.sendData(id, content.subarray(sent, sent + n));
      sent += n;
    }
    const sha256 = options.sha256 ?? createHash('sha256').update(content).digest('hex');
    this.send({ op: 'upload_end', id, sha256 });
    return { ready, end: await this.outcome(id, 'done'), sent };
  }
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
