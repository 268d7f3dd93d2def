/**
 * The browser build of `qrcode` (what bundlers pick through its package.json "browser" field), typed
 * for the little the dashboard uses. Declared here instead of importing `qrcode`'s @types package:
 * that one starts with `/// <reference types="node" />` and would pull Node's globals (process,
 * Buffer, NodeJS.Timeout) into the browser app's type check, which client/tsconfig.json keeps out.
 *
 * The module is CommonJS: import its `default` (module.exports). The production build does not
 * expose CommonJS properties as named exports of a lazily imported chunk.
 */
declare module 'qrcode/lib/browser' {
  export interface QrRenderOptions {
    /** L, M (default), Q or H: how much of the code may be damaged and still read. */
    errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H';
    /** Quiet zone in modules (default 4). */
    margin?: number;
    /** Image width in device pixels. */
    width?: number;
    color?: { dark?: string; light?: string };
  }

  interface QrCodeBrowser {
    /** Draws the code for `text` onto `canvas` (resizing it); rejects when the text is too long. */
    toCanvas(canvas: HTMLCanvasElement, text: string, options?: QrRenderOptions): Promise<void>;
  }

  const qrcode: QrCodeBrowser;
  export default qrcode;
}
