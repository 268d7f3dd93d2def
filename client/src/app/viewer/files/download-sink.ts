/*
 * Where a download's bytes go in the browser, without ever holding the whole file in the JS heap:
 * - a file the technician picked (File System Access API, `showSaveFilePicker`), written as the bytes
 *   arrive through a FileSystemWritableFileStream (Chromium writes a swap file and moves it into place
 *   on close; an abort leaves nothing);
 * - otherwise a Blob that grows every few MiB (`new Blob([blob, parts…])`: Chromium keeps Blob data
 *   outside the JS heap, spilling to disk when large), saved at the end through an `<a download>`.
 */

import type { DownloadSink } from './transfer-flow';

export type { DownloadSink };

/** The File System Access API's picker, where the browser has it (Chromium on desktops). */
interface SavePickerWindow {
  showSaveFilePicker?: (options: { suggestedName: string }) => Promise<FileSystemFileHandle>;
}

/** Whether downloads can stream to a file the technician picks. */
export function canPickSaveFile(): boolean {
  return typeof (window as SavePickerWindow).showSaveFilePicker === 'function';
}

/**
 * Asks where to save (must run in the click's user activation). Null when the technician closed the
 * picker; throws when the browser refused.
 */
export async function pickSaveFile(suggestedName: string): Promise<FileSystemFileHandle | null> {
  try {
    return await (window as SavePickerWindow).showSaveFilePicker!({ suggestedName });
  } catch (error: unknown) {
    if (error instanceof DOMException && error.name === 'AbortError') return null;
    throw error;
  }
}

/** Bytes gathered before one write to a picked file (each write is a round trip to the browser). */
const PICKED_WRITE_BYTES = 2 * 1024 * 1024;
/** Writes to a picked file handed to the stream and not yet done, at most. */
const PICKED_WRITES_IN_FLIGHT = 2;

/** Streams into a picked file, a couple of MiB per write. */
export class PickedFileSink implements DownloadSink {
  readonly kind = 'picked';
  private parts: Uint8Array<ArrayBuffer>[] = [];
  private partBytes = 0;
  private readonly writing: Promise<void>[] = [];

  private constructor(
    private readonly handle: FileSystemFileHandle,
    private readonly stream: FileSystemWritableFileStream,
  ) {}

  static async open(handle: FileSystemFileHandle): Promise<PickedFileSink> {
    return new PickedFileSink(handle, await handle.createWritable({ keepExistingData: false }));
  }

  async write(chunk: Uint8Array<ArrayBuffer>): Promise<void> {
    this.parts.push(chunk);
    this.partBytes += chunk.byteLength;
    if (this.partBytes >= PICKED_WRITE_BYTES) await this.flush();
  }

  async finish(): Promise<void> {
    await this.flush();
    await Promise.all(this.writing.splice(0));
    await this.stream.close();
  }

  async abort(): Promise<void> {
    this.parts = [];
    this.partBytes = 0;
    await Promise.allSettled(this.writing.splice(0));
    await this.stream.abort().catch(() => undefined);
    // The picker created the (empty) file; a cancelled download leaves nothing (Chromium has remove()).
    const removable = this.handle as FileSystemFileHandle & { remove?: () => Promise<void> };
    await removable.remove?.().catch(() => undefined);
  }

  /**
   * Hands the gathered parts to the stream as one Blob. Up to {@link PICKED_WRITES_IN_FLIGHT} writes
   * run at once (the stream queues them in order), so the next 2 MiB gather while one is written.
   */
  private async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const blob = new Blob(this.parts);
    this.parts = [];
    this.partBytes = 0;
    const write = this.stream.write(blob);
    // Awaited below or in finish/abort; until then a failure must not count as unhandled.
    write.catch(() => undefined);
    this.writing.push(write);
    while (this.writing.length > PICKED_WRITES_IN_FLIGHT) await this.writing.shift();
  }
}

/** Bytes gathered in small parts before they are folded into the Blob (outside the JS heap). */
const FOLD_BYTES = 4 * 1024 * 1024;

/** Grows a Blob and saves it with an `<a download>` at the end. */
export class BlobSink implements DownloadSink {
  readonly kind = 'browser';
  private blob = new Blob([]);
  private parts: Uint8Array<ArrayBuffer>[] = [];
  private partBytes = 0;

  constructor(
    private readonly fileName: string,
    private readonly type = 'application/octet-stream',
  ) {}

  write(chunk: Uint8Array<ArrayBuffer>): Promise<void> {
    this.parts.push(chunk);
    this.partBytes += chunk.byteLength;
    if (this.partBytes >= FOLD_BYTES) this.fold();
    return Promise.resolve();
  }

  finish(): Promise<void> {
    this.fold();
    const url = URL.createObjectURL(this.blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = this.fileName;
    link.rel = 'noopener';
    link.style.display = 'none';
    document.body.append(link);
    link.click();
    link.remove();
    // The browser has started reading the Blob; release it once it has had time to.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    this.blob = new Blob([]);
    return Promise.resolve();
  }

  abort(): Promise<void> {
    this.parts = [];
    this.partBytes = 0;
    this.blob = new Blob([]);
    return Promise.resolve();
  }

  private fold(): void {
    if (this.parts.length === 0) return;
    this.blob = new Blob([this.blob, ...this.parts], { type: this.type });
    this.parts = [];
    this.partBytes = 0;
  }
}
