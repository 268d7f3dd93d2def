import { DOCUMENT } from '@angular/common';
import { inject, Injectable } from '@angular/core';

/** The viewer's fixed size: room for a 1280 × 720 screen, scaled down, with the tab bar. */
export const VIEWER_SIZE = { width: 1280, height: 820 } as const;

/** The viewer page of a session (rendered without the dashboard's sidebar and toolbar). */
export function viewerPath(sessionId: string): string {
  return `viewer/${encodeURIComponent(sessionId)}`;
}

/** A viewer window opened before its session exists (see {@link ViewerWindowsService.reserve}). */
export interface ReservedViewer {
  /** False when the browser blocked the pop-up. */
  readonly opened: boolean;
  /** Points the window at the session's viewer. */
  show(sessionId: string): void;
  /** Closes the window (the session could not be started). */
  cancel(): void;
}

/**
 * Opens viewers as locked pop-up windows: fixed size, no toolbar or address bar, one per session
 * (Connect on a session whose viewer is open brings that window to the front instead of connecting
 * again, which would drop its connection). The viewer fetches its own relay tokens when it loads, so
 * nothing secret travels in the URL or between the windows.
 */
@Injectable({ providedIn: 'root' })
export class ViewerWindowsService {
  private readonly document = inject(DOCUMENT);
  private readonly windows = new Map<string, Window>();

  /** Opens or focuses the session's viewer. False when the browser blocked the pop-up. */
  connect(sessionId: string): boolean {
    const existing = this.windows.get(sessionId);
    if (existing && !existing.closed) {
      existing.focus();
      return true;
    }
    const opened = this.openWindow(this.url(sessionId), sessionId);
    if (opened) this.windows.set(sessionId, opened);
    return opened !== null;
  }

  /**
   * Opens an empty viewer window right away, while the click that asked for it still counts as a user
   * gesture (browsers block pop-ups opened later, after a slow request), to be pointed at the session
   * once the portal has started it.
   */
  reserve(): ReservedViewer {
    const opened = this.openWindow('about:blank', `pending-${Date.now()}`);
    if (opened) {
      // Shown for the moment the portal takes to reach the device.
      opened.document.title = 'Starting the remote session…';
      opened.document.body.style.cssText =
        'margin:0;display:grid;place-items:center;height:100vh;font:15px system-ui,sans-serif;color:#cbd5e1;background:#0f172a';
      opened.document.body.textContent = 'Starting the remote session…';
    }
    return {
      opened: opened !== null,
      show: (sessionId) => {
        if (!opened || opened.closed) return;
        opened.location.replace(this.url(sessionId));
        this.windows.set(sessionId, opened);
      },
      cancel: () => opened?.close(),
    };
  }

  private url(sessionId: string): string {
    return new URL(viewerPath(sessionId), this.document.baseURI).toString();
  }

  private openWindow(url: string, name: string): Window | null {
    const view = this.document.defaultView;
    if (!view) return null;
    const { width, height } = VIEWER_SIZE;
    const left = Math.max(0, Math.round(view.screenX + (view.outerWidth - width) / 2));
    const top = Math.max(0, Math.round(view.screenY + (view.outerHeight - height) / 2));
    const features = [
      'popup=yes',
      `width=${width}`,
      `height=${height}`,
      `left=${left}`,
      `top=${top}`,
      'toolbar=no',
      'location=no',
      'menubar=no',
      'status=no',
      'scrollbars=no',
      'resizable=yes',
    ].join(',');
    return view.open(url, `remote-viewer-${name}`, features);
  }
}
