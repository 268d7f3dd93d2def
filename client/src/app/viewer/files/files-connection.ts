/*
 * The viewer's end of the files channel (contracts/agent-protocol/files-frames.ts) over one relay
 * WebSocket: numbered requests, replies routed back by id, binary data frames routed to the running
 * transfer. Plain TypeScript (no Angular) so the transfers and the tab share one small core.
 */
import {
  decodeFilesData,
  encodeFilesData,
  FILES_LIMITS,
  parseFilesReply,
  type FilesErrorCode,
  type FilesListingReply,
  type FilesReply,
  type FilesRequest,
} from '../../../../../contracts/agent-protocol/files-frames';
import { OpIds } from './transfer-flow';

/** An operation the agent refused or that could not finish, with the agent's code and sentence. */
export class FilesOpError extends Error {
  constructor(
    readonly code: FilesErrorCode | 'connection_lost',
    message: string,
  ) {
    super(message);
  }
}

export const CONNECTION_LOST = 'The connection to the device dropped before the operation finished.';

export const UNREADABLE_REPLY = 'The device sent a reply the viewer could not read.';

/**
 * The operation id of a reply frame that failed to parse, when it can still be read (a JSON object
 * with a positive integer `id`), so that operation fails instead of waiting forever; null otherwise.
 */
export function unreadableReplyId(text: string): number | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'number' && Number.isInteger(id) && id > 0 && id <= FILES_LIMITS.maxId ? id : null;
}

export interface OperationHandlers {
  reply(reply: FilesReply): void;
  data?(bytes: Uint8Array<ArrayBuffer>): void;
  /** The socket closed while the operation ran. */
  lost(): void;
}

/** Requests whose reply is one frame (`places`, `done`); the rest have their own handlers. */
type SimpleRequest = Extract<FilesRequest, { op: 'places' | 'mkdir' | 'rename' | 'delete' }>;
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

export class FilesConnection {
  private readonly ids = new OpIds();
  private readonly running = new Map<number, OperationHandlers>();
  private isClosed = false;

  constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event: { data: ArrayBuffer | string }) => this.receive(event.data));
    socket.addEventListener('close', () => this.lose());
  }

  get open(): boolean {
    return !this.isClosed && this.socket.readyState === WebSocket.OPEN;
  }

  /** Reserves an id for an operation and routes its replies and data to `handlers`. */
  begin(handlers: OperationHandlers): number {
    let id = this.ids.next();
    while (this.running.has(id)) id = this.ids.next();
    this.running.set(id, handlers);
    return id;
  }

  /** The operation is over: later frames for its id are dropped. */
  end(id: number): void {
    this.running.delete(id);
  }

  send(frame: FilesRequest): boolean {
    if (!this.open) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  sendData(id: number, bytes: Uint8Array): boolean {
    if (!this.open) return false;
    this.socket.send(encodeFilesData(id, bytes) as Uint8Array<ArrayBuffer>);
    return true;
  }

  /** Bytes the browser still holds for this socket (sent but not yet on the wire). */
  get buffered(): number {
    return this.socket.bufferedAmount;
  }

  /** One request, one reply (`places`, or `done` for mkdir/rename/delete); rejects with FilesOpError. */
  ask<R extends FilesReply>(request: DistributiveOmit<SimpleRequest, 'id'>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const id = this.begin({
        reply: (reply) => {
          this.end(id);
          if (reply.type === 'error') reject(new FilesOpError(reply.code, reply.message));
          else resolve(reply as R);
        },
        lost: () => reject(new FilesOpError('connection_lost', CONNECTION_LOST)),
      });
      if (!this.send({ ...request, id })) {
        this.end(id);
        reject(new FilesOpError('connection_lost', CONNECTION_LOST));
      }
    });
  }

  /** Lists a folder page by page (`onPage` for each); resolves with the last page. */
  list(
    path: string,
    onPage: (page: FilesListingReply) => void,
  ): { id: number; done: Promise<FilesListingReply> } {
    let id = 0;
    let received = 0;
    const done = new Promise<FilesListingReply>((resolve, reject) => {
      id = this.begin({
        reply: (reply) => {
          if (reply.type === 'error') {
            this.end(id);
            reject(new FilesOpError(reply.code, reply.message));
            return;
          }
          if (reply.type !== 'listing') return;
          // A device sending more than the contract's most: stop at it, as a truncated listing.
          const room = FILES_LIMITS.maxListEntries - received;
          const page =
            reply.entries.length >= room && !(reply.done && reply.entries.length === room)
              ? { ...reply, entries: reply.entries.slice(0, room), done: true, truncated: true }
              : reply;
          received += page.entries.length;
          onPage(page);
          if (page.done) {
            this.end(id);
            resolve(page);
          }
        },
        lost: () => reject(new FilesOpError('connection_lost', CONNECTION_LOST)),
      });
      if (!this.send({ op: 'list', id, path })) {
        this.end(id);
        reject(new FilesOpError('connection_lost', CONNECTION_LOST));
      }
    });
    return { id, done };
  }

  private receive(data: ArrayBuffer | string): void {
    if (typeof data !== 'string') {
      const frame = decodeFilesData(new Uint8Array(data));
      if (frame) this.running.get(frame.id)?.data?.(frame.data as Uint8Array<ArrayBuffer>);
      return;
    }
    const parsed = parseFilesReply(data);
    if (!parsed.ok) {
      console.warn('A files frame the viewer could not read:', parsed.error);
      // Its operation fails with a sentence (and ends), rather than waiting for a reply forever.
      const id = unreadableReplyId(data);
      const handlers = id === null ? undefined : this.running.get(id);
      if (id !== null && handlers) {
        handlers.reply({ type: 'error', id, code: 'bad_frame', message: UNREADABLE_REPLY });
        this.end(id);
      }
      return;
    }
    this.running.get(parsed.value.id)?.reply(parsed.value);
  }

  private lose(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const handlers = [...this.running.values()];
    this.running.clear();
    for (const h of handlers) h.lost();
  }
}
