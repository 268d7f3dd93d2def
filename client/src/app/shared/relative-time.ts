import { DestroyRef, inject, Pipe, PipeTransform, Signal, signal } from '@angular/core';

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['week', 7 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];
const FORMAT = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/**
 * "just now", "3 minutes ago", "in 2 hours", "yesterday" — relative to `now` (ms since epoch).
 * `past`: the time is known to have happened (a creation time), so one slightly ahead of `now`
 * (the ticking clock lags, or the server's clock runs ahead) still reads "just now".
 */
export function relativeTime(iso: string | null | undefined, now: number, past = false): string {
  const time = iso ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(time)) return '';
  const seconds = Math.round(((past ? Math.min(time, now) : time) - now) / 1000);
  if (Math.abs(seconds) < 45) return seconds > 0 ? 'in a moment' : 'just now';
  // A unit is used from 30 s short of one whole unit on, so 59:59 reads "1 hour", not "60 minutes".
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size - 30 || unit === 'minute') {
      return FORMAT.format(Math.round(seconds / size), unit);
    }
  }
  return '';
}

/**
 * `{{ createdAt | relativeTime: now() : 'past' }}`. Pure: passing the ticking `now` from
 * {@link injectNow} is what makes the text move on.
 */
@Pipe({ name: 'relativeTime' })
export class RelativeTimePipe implements PipeTransform {
  transform(iso: string | null | undefined, now: number, kind?: 'past'): string {
    return relativeTime(iso, now, kind === 'past');
  }
}

/** The current time as a signal that ticks every `periodMs` while the calling component lives. */
export function injectNow(periodMs = 20_000): Signal<number> {
  const now = signal(Date.now());
  const timer = setInterval(() => now.set(Date.now()), periodMs);
  inject(DestroyRef).onDestroy(() => clearInterval(timer));
  return now.asReadonly();
}
