import { ScrollingModule, CdkVirtualScrollViewport } from '@angular/cdk/scrolling';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  effect,
  inject,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MatTooltipModule } from '@angular/material/tooltip';

import type {
  FilesDoneReply,
  FilesEntry,
  FilesPlacesReply,
} from '../../../../../contracts/agent-protocol/files-frames';
import { confirmAction } from '../../shared/confirm-dialog.component';
import { ChannelStateComponent } from '../channel-state.component';
import { explainRelayClose } from '../relay-connection';
import { RelaySocket } from '../relay-socket';
import { ChannelTicket, ViewerSessionService } from '../viewer-session.service';
import { BlobSink, canPickSaveFile, PickedFileSink, pickSaveFile, type DownloadSink } from './download-sink';
import {
  breadcrumbs,
  browserSaveName,
  formatBytes,
  formatDuration,
  formatMode,
  formatSpeed,
  kindLabel,
  nameProblem,
  opensAsFolder,
  sortEntries,
  type FilesSort,
  type FilesSortKey,
} from './files-format';
import { FilesConnection, FilesOpError } from './files-connection';
import { Download, Upload, type TransferSnapshot } from './files-transfers';
import { percent } from './transfer-flow';

type FilesState = 'idle' | 'requesting' | 'waiting' | 'connecting' | 'connected' | 'closed';
type FormMode = { kind: 'mkdir' } | { kind: 'rename'; entry: FilesEntry } | null;

/** Row height in the listing (px): the virtual scroller's item size. */
export const FILES_ROW_PX = 36;

const SORT_LABELS: Record<FilesSortKey, string> = {
  name: 'Name',
  size: 'Size',
  mtime: 'Modified',
  kind: 'Type',
  mode: 'Permissions',
};

/**
 * The Files tab: a file manager on the device over the relay's `files` channel (protocol 1.4). The
 * channel opens on demand: the first time the tab shows (and after each Reconnect) it asks the
 * portal, the device asks the person at it, and the tab dials once the channel is open. Listings
 * arrive in pages into a virtual-scrolled list; downloads stream to a picked file or a growing Blob
 * (never the whole file in the JS heap); uploads resume after a dropped connection; both sides hash
 * every transfer (SHA-256). Every name and message from the device is shown as text only.
 */
@Component({
  selector: 'app-files-tab',
  imports: [
    ChannelStateComponent,
    MatButtonModule,
    MatIconModule,
    MatProgressBarModule,
    MatProgressSpinnerModule,
    MatSlideToggleModule,
    MatTooltipModule,
    ScrollingModule,
  ],
  templateUrl: './files-tab.component.html',
  styleUrl: './files-tab.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class FilesTabComponent {
  protected readonly viewer = inject(ViewerSessionService);
  private readonly dialog = inject(MatDialog);
  private readonly viewport = viewChild(CdkVirtualScrollViewport);

  /** The tab is showing: the first time, it opens the files channel. */
  readonly active = input(false);

  protected readonly rowPx = FILES_ROW_PX;
  protected readonly state = signal<FilesState>('idle');
  protected readonly message = signal('');
  protected readonly sessionOver = signal(false);
  /** Why the portal did not open the channel, in words. */
  protected readonly openError = signal('');
  protected readonly channel = this.viewer.channelState('files');
  protected readonly allowed = computed(() => this.channel()?.state === 'open');

  protected readonly device = signal<FilesPlacesReply | null>(null);
  protected readonly path = signal('');
  protected readonly parent = signal<string | null>(null);
  protected readonly pathInput = signal('');
  private readonly rawEntries = signal<FilesEntry[]>([]);
  protected readonly loading = signal(false);
  protected readonly truncated = signal(false);
  protected readonly listError = signal('');
  protected readonly showHidden = signal(false);
  protected readonly sort = signal<FilesSort>({ key: 'name', direction: 'asc' });
  protected readonly selected = signal<string | null>(null);
  protected readonly entries = computed(() => {
    const all = this.rawEntries();
    const shown = this.showHidden() ? all : all.filter((e) => !e.hidden);
    return sortEntries(shown, this.sort());
  });
  protected readonly hiddenCount = computed(() => this.rawEntries().filter((e) => e.hidden).length);
  protected readonly selectedEntry = computed(() => {
    const name = this.selected();
    return name === null ? null : (this.entries().find((e) => e.name === name) ?? null);
  });
  protected readonly crumbs = computed(() => {
    const device = this.device();
    const path = this.path();
    return device && path ? breadcrumbs(path, device.sep) : [];
  });
  /** The row that takes Tab (roving focus): the selected one, else the first. */
  protected readonly focusName = computed(
    () => this.selectedEntry()?.name ?? this.entries()[0]?.name ?? null,
  );

  protected readonly form = signal<FormMode>(null);
  protected readonly formName = signal('');
  protected readonly formError = signal('');
  /** The last operation's outcome near the actions: an error (role alert) or a note. */
  protected readonly opError = signal('');
  protected readonly opNote = signal('');
  protected readonly busy = signal(false);
  protected readonly dragging = signal(false);

  protected readonly transfers = signal<TransferSnapshot[]>([]);
  protected readonly sortLabels = SORT_LABELS;
  protected readonly sortKeys = Object.keys(SORT_LABELS) as FilesSortKey[];

  private readonly ticket = this.viewer.ticket('files');
  private dialled: string | null = null;
  private relay: RelaySocket | null = null;
  private conn: FilesConnection | null = null;
  private attempt = 0;
  private listingId = 0;
  private requestedGeneration = -1;
  private readonly running = new Map<number, Upload | Download>();
  /** Transfers waiting for a slot, in the order they were asked for. */
  private readonly queue: Array<Upload | Download> = [];
  private readonly formatBytes = formatBytes;
  protected readonly trackByName = (_: number, entry: FilesEntry): string => entry.name;

  constructor() {
    // Opens the channel the first time the tab shows, and again after each viewer Reconnect.
    effect(() => {
      const generation = this.viewer.generation();
      const ready = this.viewer.phase() === 'ready';
      const wanted = this.active() || this.requestedGeneration >= 0;
      if (!ready || !wanted || generation === this.requestedGeneration) return;
      this.requestedGeneration = generation;
      // Once the session has the channel, the viewer's Reconnect opens it again with the others.
      const hasFiles = untracked(() => this.viewer.session()?.channels.includes('files') ?? false);
      if (!hasFiles) untracked(() => void this.requestChannel());
    });
    effect(() => {
      const ticket = this.ticket();
      untracked(() => this.follow(ticket));
    });
    inject(DestroyRef).onDestroy(() => {
      this.attempt++;
      for (const t of this.running.values()) t.cancel();
      this.hangUp();
    });
  }

  // ---- connection ----

  /** Asks the portal to open the files channel (the Reconnect buttons of this tab too). */
  protected async requestChannel(): Promise<void> {
    if (this.state() === 'requesting') return;
    this.state.set('requesting');
    this.openError.set('');
    const refused = await this.viewer.openFiles();
    if (refused) {
      this.openError.set(refused);
      this.state.set('closed');
      this.message.set(refused);
      return;
    }
    if (this.state() === 'requesting') this.state.set('waiting');
  }

  private follow(ticket: ChannelTicket | null): void {
    if (!ticket) {
      if (this.relay) {
        this.attempt++;
        this.hangUp();
        this.state.set('waiting');
      }
      return;
    }
    if (ticket.token === this.dialled) return;
    this.dialled = ticket.token;
    this.connect(ticket);
  }

  private connect(ticket: ChannelTicket): void {
    const attempt = ++this.attempt;
    this.hangUp();
    this.state.set('connecting');
    this.message.set('');
    this.sessionOver.set(false);
    const relay = new RelaySocket(ticket.url, ticket.sessionId, ticket.token, 'files');
    const conn = new FilesConnection(relay.socket);
    this.relay = relay;
    this.conn = conn;
    relay.socket.addEventListener('open', () => {
      if (attempt !== this.attempt) return;
      this.state.set('connected');
      void this.afterConnect(conn);
    });
    void relay.closed.then((close) => {
      if (attempt !== this.attempt || relay.intentional) return;
      this.relay = null;
      this.conn = null;
      this.loading.set(false);
      const explained = explainRelayClose(close, ticket.expiresAt, Date.now());
      this.message.set(explained.message);
      this.sessionOver.set(explained.sessionOver);
      this.state.set('closed');
      void this.viewer.refresh();
    });
  }

  /** Learns the device (places, limits), lists where the technician was (or home), resumes uploads. */
  private async afterConnect(conn: FilesConnection): Promise<void> {
    try {
      const device = await conn.ask<FilesPlacesReply>({ op: 'places' });
      this.device.set(device);
      await this.open(this.path() || device.home);
    } catch (error: unknown) {
      this.listError.set(errorText(error));
    }
    // The device takes writes only into folders listed on this channel: list again, quietly, the
    // folders that waiting or interrupted transfers go to (the technician may have moved on).
    // An upload cancelled while disconnected is finished, but its folder is needed to discard its part.
    const pending = [...this.running.values()]
      .filter((t) => !t.finished || (t instanceof Upload && t.discardPending))
      .map((t) => t.dir);
    for (const dir of new Set(pending)) {
      if (dir === this.path() || !conn.open) continue;
      await conn.list(dir, () => undefined).done.catch(() => undefined);
    }
    for (const t of this.running.values()) {
      if (!(t instanceof Upload)) continue;
      if (t.status === 'interrupted') t.start(conn);
      else if (t.discardPending) t.discardKept(conn);
    }
    this.pump();
  }

  /** Starts queued transfers while the device has free slots (its `maxTransfers`). */
  private pump(): void {
    const conn = this.conn;
    if (!conn?.open) return;
    const limit = this.device()?.maxTransfers ?? 1;
    let active = [...this.running.values()].filter((t) => t.active).length;
    while (this.queue.length > 0 && active < limit) {
      const next = this.queue.shift()!;
      if (next.status !== 'queued') continue;
      next.start(conn);
      active++;
    }
  }

  private hangUp(): void {
    this.relay?.close();
    this.relay = null;
    this.conn = null;
  }

  // ---- browsing ----

  /** Lists a folder; the listing replaces the current one page by page once the first page arrives. */
  protected async open(path: string): Promise<void> {
    const conn = this.conn;
    const target = path.trim();
    if (!conn || !target) return;
    this.loading.set(true);
    this.listError.set('');
    this.clearOutcome();
    let first = true;
    let gathered: FilesEntry[] = [];
    const listing = conn.list(target, (page) => {
      if (this.listingId !== listing.id) return;
      if (first) {
        first = false;
        gathered = [];
        this.path.set(page.path);
        this.pathInput.set(page.path);
        this.parent.set(page.parent);
        this.selected.set(null);
        this.truncated.set(false);
        this.viewport()?.scrollToIndex(0);
      }
      gathered = gathered.concat(page.entries);
      this.rawEntries.set(gathered);
      if (page.done) this.truncated.set(page.truncated === true);
    });
    this.listingId = listing.id;
    try {
      await listing.done;
    } catch (error: unknown) {
      if (this.listingId === listing.id) {
        this.listError.set(errorText(error));
        this.pathInput.set(this.path());
      }
    } finally {
      if (this.listingId === listing.id) this.loading.set(false);
    }
  }

  protected go(event: Event): void {
    event.preventDefault();
    void this.open(this.pathInput());
  }

  protected up(): void {
    const parent = this.parent();
    if (parent) void this.open(parent);
  }

  protected refresh(): void {
    if (this.path()) void this.open(this.path());
  }

  protected sortBy(key: FilesSortKey): void {
    this.sort.update((s) => ({
      key,
      direction: s.key === key && s.direction === 'asc' ? 'desc' : 'asc',
    }));
  }

  protected ariaSort(key: FilesSortKey): 'ascending' | 'descending' | 'none' {
    const s = this.sort();
    return s.key !== key ? 'none' : s.direction === 'asc' ? 'ascending' : 'descending';
  }

  protected select(entry: FilesEntry): void {
    this.selected.set(entry.name);
  }

  protected activate(entry: FilesEntry): void {
    if (opensAsFolder(entry)) void this.open(this.childPath(entry.name));
    else void this.download(entry);
  }

  /** Arrows move the selection, Enter opens (or downloads), F2 renames, Delete deletes. */
  protected rowKey(event: KeyboardEvent, entry: FilesEntry, index: number): void {
    const move = (to: number): void => {
      const list = this.entries();
      const next = list[Math.max(0, Math.min(list.length - 1, to))];
      if (!next) return;
      event.preventDefault();
      this.selected.set(next.name);
      this.viewport()?.scrollToIndex(Math.max(0, to - 3));
      setTimeout(() => document.getElementById(this.rowId(next.name))?.focus());
    };
    switch (event.key) {
      case 'ArrowDown':
        return move(index + 1);
      case 'ArrowUp':
        return move(index - 1);
      case 'Home':
        return move(0);
      case 'End':
        return move(this.entries().length - 1);
      case 'Enter':
        event.preventDefault();
        return this.activate(entry);
      case 'Backspace':
        event.preventDefault();
        return this.up();
      case 'F2':
        event.preventDefault();
        this.selected.set(entry.name);
        return this.startRename();
      case 'Delete':
        event.preventDefault();
        this.selected.set(entry.name);
        void this.remove();
        return;
      default:
        return;
    }
  }

  protected rowId(name: string): string {
    return `files-row-${encodeURIComponent(name).replace(/[^A-Za-z0-9_-]/g, '_')}`;
  }

  protected size(entry: FilesEntry): string {
    return entry.kind === 'file' ? this.formatBytes(entry.size) : '';
  }

  protected modified(entry: FilesEntry): string {
    return entry.mtime ? new Date(entry.mtime).toLocaleString() : '';
  }

  protected mode(entry: FilesEntry): string {
    return formatMode(entry.kind, entry.mode);
  }

  protected kind(entry: FilesEntry): string {
    return kindLabel(entry);
  }

  protected icon(entry: FilesEntry): string {
    return opensAsFolder(entry) ? 'folder' : entry.kind === 'symlink' ? 'link' : 'description';
  }

  private childPath(name: string): string {
    const sep = this.device()?.sep ?? '/';
    const dir = this.path();
    return dir.endsWith(sep) ? dir + name : dir + sep + name;
  }

  // ---- new folder, rename, delete ----

  protected startMkdir(): void {
    this.clearOutcome();
    this.form.set({ kind: 'mkdir' });
    this.formName.set('');
    this.formError.set('');
    setTimeout(() => document.getElementById('files-form-name')?.focus());
  }

  protected startRename(): void {
    const entry = this.selectedEntry();
    if (!entry) return;
    this.clearOutcome();
    this.form.set({ kind: 'rename', entry });
    this.formName.set(entry.name);
    this.formError.set('');
    setTimeout(() => (document.getElementById('files-form-name') as HTMLInputElement | null)?.select());
  }

  protected cancelForm(): void {
    this.form.set(null);
    this.formError.set('');
  }

  protected async submitForm(event: Event): Promise<void> {
    event.preventDefault();
    const form = this.form();
    const conn = this.conn;
    if (!form || !conn || this.busy()) return;
    const name = this.formName();
    const problem = nameProblem(name);
    if (problem) {
      this.formError.set(problem);
      return;
    }
    const dir = this.path();
    this.busy.set(true);
    try {
      if (form.kind === 'mkdir') {
        await conn.ask<FilesDoneReply>({ op: 'mkdir', dir, name });
        this.opNote.set(`Created the folder “${name}”.`);
      } else {
        if (name === form.entry.name) {
          this.form.set(null);
          return;
        }
        await conn.ask<FilesDoneReply>({ op: 'rename', dir, name: form.entry.name, to: name });
        this.opNote.set(`Renamed “${form.entry.name}” to “${name}”.`);
      }
      this.form.set(null);
      this.selected.set(name);
      void this.open(dir);
    } catch (error: unknown) {
      this.formError.set(errorText(error));
    } finally {
      this.busy.set(false);
    }
  }

  protected async remove(): Promise<void> {
    const entry = this.selectedEntry();
    const conn = this.conn;
    if (!entry || !conn || this.busy()) return;
    this.clearOutcome();
    const folder = entry.kind === 'dir';
    const confirmed = await confirmAction(this.dialog, {
      title: `Delete “${entry.name}”?`,
      message: folder
        ? `The folder “${entry.name}” in ${this.path()} and everything in it are deleted from the device. This cannot be undone.`
        : `“${entry.name}” in ${this.path()} is deleted from the device. This cannot be undone.`,
      confirmLabel: 'Delete',
      destructive: true,
    });
    if (!confirmed) return;
    this.busy.set(true);
    try {
      await conn.ask<FilesDoneReply>({ op: 'delete', dir: this.path(), name: entry.name });
      this.opNote.set(`Deleted “${entry.name}”.`);
      this.selected.set(null);
      void this.open(this.path());
    } catch (error: unknown) {
      this.opError.set(`Could not delete “${entry.name}”: ${errorText(error)}`);
    } finally {
      this.busy.set(false);
    }
  }

  private clearOutcome(): void {
    this.opError.set('');
    this.opNote.set('');
  }

  // ---- transfers ----

  protected async download(entry: FilesEntry | null = this.selectedEntry()): Promise<void> {
    const conn = this.conn;
    if (!entry || !conn) return;
    this.clearOutcome();
    const suggested = opensAsFolder(entry) ? `${entry.name}.zip` : entry.name;
    let picked: FileSystemFileHandle | null = null;
    if (canPickSaveFile()) {
      try {
        picked = await pickSaveFile(browserSaveName(suggested));
        // Closed the picker: nothing to do.
        if (picked === null) return;
      } catch (error: unknown) {
        // Refused (a policy, a sandbox): the browser saves the download instead.
        console.warn('The save picker failed; the browser saves the download instead', error);
      }
    }
    const openSink = async (saveAs: string): Promise<DownloadSink> =>
      picked ? PickedFileSink.open(picked) : new BlobSink(saveAs);
    const transfer = new Download(this.path(), entry.name, suggested, openSink, (s) => this.onTransfer(s));
    this.enqueue(transfer);
  }

  protected pickUploads(input: HTMLInputElement): void {
    const files = [...(input.files ?? [])];
    input.value = '';
    this.upload(files);
  }

  protected dragOver(event: DragEvent): void {
    if (!this.conn || !event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    this.dragging.set(true);
  }

  protected dragLeave(event: DragEvent): void {
    const to = event.relatedTarget as Node | null;
    if (!to || !(event.currentTarget as HTMLElement).contains(to)) this.dragging.set(false);
  }

  protected drop(event: DragEvent): void {
    event.preventDefault();
    this.dragging.set(false);
    this.upload([...(event.dataTransfer?.files ?? [])]);
  }

  private upload(files: File[]): void {
    const conn = this.conn;
    const dir = this.path();
    if (!conn || !dir || files.length === 0) return;
    this.clearOutcome();
    const max = this.device()?.maxUploadBytes ?? Number.MAX_SAFE_INTEGER;
    for (const file of files) {
      if (file.size > max) {
        this.opError.set(
          `“${file.name}” is ${formatBytes(file.size)}: the device takes uploads of ${formatBytes(max)} at most.`,
        );
        continue;
      }
      const transfer = new Upload(
        file,
        dir,
        (s) => this.onTransfer(s),
        (name) =>
          confirmAction(this.dialog, {
            title: `Replace “${name}” on the device?`,
            message: `A file named “${name}” already exists in ${dir}. Uploading replaces it with the file from your computer.`,
            confirmLabel: 'Replace',
            destructive: true,
          }),
        () => {
          if (this.path() === dir) this.refresh();
        },
      );
      this.enqueue(transfer);
    }
  }

  protected cancel(key: number): void {
    this.running.get(key)?.cancel();
  }

  protected dismiss(key: number): void {
    this.running.delete(key);
    this.transfers.update((list) => list.filter((t) => t.key !== key));
  }

  private enqueue(transfer: Upload | Download): void {
    this.running.set(transfer.key, transfer);
    this.queue.push(transfer);
    transfer.publish();
    this.pump();
  }

  private onTransfer(snapshot: TransferSnapshot): void {
    // A slot may have come free.
    if (snapshot.status !== 'queued' && snapshot.status !== 'running') queueMicrotask(() => this.pump());
    this.transfers.update((list) => {
      const at = list.findIndex((t) => t.key === snapshot.key);
      if (at < 0) return [...list, snapshot];
      const next = [...list];
      next[at] = snapshot;
      return next;
    });
  }

  protected percentOf(t: TransferSnapshot): number | null {
    return percent(t.done, t.total);
  }

  protected transferLine(t: TransferSnapshot): string {
    const done = formatBytes(t.done);
    const of = t.total === null ? '' : ` of ${formatBytes(t.total)}`;
    switch (t.status) {
      case 'queued':
        return 'Waiting for another transfer to finish…';
      case 'starting':
        return t.message || 'Starting…';
      case 'running': {
        const resumed = t.resumedFrom ? ` · resumed at ${formatBytes(t.resumedFrom)}` : '';
        return `${done}${of} · ${formatSpeed(t.speed)} · ${formatDuration(t.secondsLeft)} left${resumed}`;
      }
      case 'interrupted':
        return `${done}${of} · ${t.message}`;
      case 'verifying':
        return t.direction === 'upload' ? 'Verifying on the device…' : 'Verifying…';
      case 'verified': {
        const resumed = t.resumedFrom ? ` · resumed at ${formatBytes(t.resumedFrom)}` : '';
        return `Verified (SHA-256 ${t.sha256 ?? ''}) · ${formatBytes(t.total ?? t.done)}${resumed}`;
      }
      case 'failed':
      case 'cancelled':
        return t.message;
    }
  }

  protected transferLive(t: TransferSnapshot): boolean {
    return (
      t.status === 'queued' ||
      t.status === 'starting' ||
      t.status === 'running' ||
      t.status === 'interrupted' ||
      t.status === 'verifying'
    );
  }

  protected reconnect(): void {
    void this.requestChannel();
  }
}

function errorText(error: unknown): string {
  if (error instanceof FilesOpError)
    return error.code === 'connection_lost' ? error.message : `${error.message} (${error.code})`;
  return String(error);
}
