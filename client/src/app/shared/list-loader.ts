import { computed, Signal, signal } from '@angular/core';
import { firstValueFrom, Observable } from 'rxjs';

import { toApiError } from '../core/api-error';

export type LoadState = 'loading' | 'ready' | 'error';

/** What a list page shows: {@link LoadState}, or `empty` when it loaded and has no rows. */
export type ListView = LoadState | 'empty';

export interface ListLoaderOptions<T> {
  /** The request for the list as it should be now (read the page's filter here). */
  fetch: () => Observable<T>;
  /** Stores an answer; called only for the newest request. */
  apply: (result: T) => void;
  /** Whether the page has no rows to show. */
  isEmpty: () => boolean;
}

/**
 * The loading half of a list page (Quick-Support queue, Remote Sessions, Users): loading / ready /
 * error with the error's message, and only the newest request's answer is kept, so a slow answer
 * for a filter the user already left cannot overwrite a newer one. It also tracks the rows with a
 * request in flight (End, Disable, Remove), see {@link whileBusy}.
 */
export class ListLoader<T> {
  readonly state = signal<LoadState>('loading');
  /** The last failure's message, for the error state. */
  readonly error = signal('');
  readonly view: Signal<ListView> = computed(() => {
    const state = this.state();
    return state === 'ready' && this.options.isEmpty() ? 'empty' : state;
  });
  /** Ids of the rows with a request in flight: their buttons wait. */
  readonly busy = signal<ReadonlySet<string>>(new Set());

  private loads = 0;

  constructor(private readonly options: ListLoaderOptions<T>) {}

  /** Reloads. `quiet`: keep showing the rows meanwhile, and say nothing on failure. */
  async load(quiet = false): Promise<void> {
    const load = ++this.loads;
    if (!quiet) this.state.set('loading');
    try {
      const result = await firstValueFrom(this.options.fetch());
      if (load !== this.loads) return;
      this.options.apply(result);
      this.state.set('ready');
    } catch (caught: unknown) {
      if (load !== this.loads || quiet) return;
      this.error.set(toApiError(caught).message);
      this.state.set('error');
    }
  }

  /**
   * Runs a request for one row, which is {@link busy} meanwhile. A failure was already shown by the
   * error interceptor; a 404 means someone else removed the row meanwhile, so the list reloads to
   * show it as it is now (`quietReload`: without the loading state). Resolves true when it succeeded.
   */
  async whileBusy(id: string, action: () => Promise<void>, quietReload = true): Promise<boolean> {
    this.busy.update((ids) => new Set(ids).add(id));
    try {
      await action();
      return true;
    } catch (caught: unknown) {
      if (toApiError(caught).status === 404) await this.load(quietReload);
      return false;
    } finally {
      this.busy.update((ids) => {
        const next = new Set(ids);
        next.delete(id);
        return next;
      });
    }
  }
}

/** What a list page's controls (Reload, the load state) use of a {@link ListLoader}, whatever its rows. */
export type ListControl = Pick<ListLoader<unknown>, 'state' | 'view' | 'error' | 'load'>;
