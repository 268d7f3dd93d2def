import {
  afterRenderEffect,
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  input,
  signal,
  viewChild,
} from '@angular/core';

/**
 * A scannable QR code of `value`, drawn on a canvas. The encoder (`qrcode`) loads on first use, so
 * pages that never show a code do not download it. Dark modules on white with a 2-module quiet zone:
 * phone cameras read that reliably, and it still fits in a dialog.
 */
@Component({
  selector: 'app-qr-code',
  template: `
    <canvas
      #canvas
      role="img"
      [attr.aria-label]="label()"
      [attr.data-state]="state()"
      [style.width.px]="size()"
      [style.height.px]="size()"
    ></canvas>
    @if (state() === 'failed') {
      <p class="failed" role="alert">The QR code could not be drawn. Copy the link instead.</p>
    }
  `,
  styles: `
    :host {
      display: inline-grid;
      justify-items: center;
      gap: 8px;
    }
    canvas {
      display: block;
      image-rendering: pixelated;
    }
    .failed {
      margin: 0;
      max-width: 24ch;
      color: var(--app-danger);
      font-size: 0.85rem;
      text-align: center;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class QrCodeComponent {
  readonly value = input.required<string>();
  /** Shown size in CSS pixels; drawn at the screen's pixel density so it stays sharp. */
  readonly size = input(200);
  readonly label = input('QR code');

  private readonly canvas = viewChild.required<ElementRef<HTMLCanvasElement>>('canvas');
  protected readonly state = signal<'drawing' | 'ready' | 'failed'>('drawing');
  private drawn = 0;

  constructor() {
    afterRenderEffect({
      write: () => {
        void this.draw(this.canvas().nativeElement, this.value(), this.size());
      },
    });
  }

  private async draw(canvas: HTMLCanvasElement, value: string, size: number): Promise<void> {
    const attempt = ++this.drawn;
    this.state.set('drawing');
    try {
      const qrcode = (await import('qrcode/lib/browser')).default;
      if (attempt !== this.drawn) return;
      await qrcode.toCanvas(canvas, value, {
        errorCorrectionLevel: 'M',
        margin: 2,
        width: Math.round(size * Math.max(1, window.devicePixelRatio || 1)),
        color: { dark: '#111827', light: '#ffffff' },
      });
      // The encoder sets the CSS size to the pixel size; keep the layout size.
      canvas.style.width = canvas.style.height = `${size}px`;
      if (attempt === this.drawn) this.state.set('ready');
    } catch (error: unknown) {
      console.error('Could not draw the QR code', error);
      if (attempt === this.drawn) this.state.set('failed');
    }
  }
}
