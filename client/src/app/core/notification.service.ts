import { inject, Injectable, Injector } from '@angular/core';
import type { MatSnackBar, MatSnackBarConfig } from '@angular/material/snack-bar';

/**
 * Short status messages at the bottom of the screen (Material snack-bar). The snack-bar and its
 * overlay code load on first use, which keeps them out of the initial bundle: the error interceptor
 * needs this service from the first request on, but rarely shows anything.
 */
@Injectable({ providedIn: 'root' })
export class NotificationService {
  private readonly injector = inject(Injector);
  private snackBar: Promise<MatSnackBar> | undefined;

  success(message: string): void {
    this.show(message, undefined, {
      duration: 4000,
      politeness: 'polite',
      panelClass: 'app-snack-success',
    });
  }

  error(message: string): void {
    this.show(message, 'Dismiss', {
      duration: 8000,
      politeness: 'assertive',
      panelClass: 'app-snack-error',
    });
  }

  private show(message: string, action: string | undefined, config: MatSnackBarConfig): void {
    this.snackBar ??= import('@angular/material/snack-bar').then((m) => this.injector.get(m.MatSnackBar));
    this.snackBar.then(
      (snackBar) => snackBar.open(message, action, config),
      (failure: unknown) => {
        this.snackBar = undefined;
        console.error('Could not show a notification:', message, failure);
      },
    );
  }
}
