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
 * for a filter the user already left cannot overwrite a newer one.
 */
export class ListLoader<T> {
  readonly state = signal<LoadState>('loading');
  /** The last failure's message, for the error state. */
  readonly error = signal('');
  readonly view: Signal<ListView> = computed(() => {
    const state = this.state();
    return state === 'ready' && this.options.isEmpty() ? 'empty' : state;
  });

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
}
