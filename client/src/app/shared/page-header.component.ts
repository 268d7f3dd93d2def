import { ChangeDetectionStrategy, Component, input } from '@angular/core';

/** The title block every page starts with; projected content becomes the page's actions. */
@Component({
  selector: 'app-page-header',
  template: `
    <div class="text">
      <h1>{{ heading() }}</h1>
      @if (description(); as text) {
        <p>{{ text }}</p>
      }
    </div>
    <div class="actions"><ng-content /></div>
  `,
  styles: `
    :host {
      display: flex;
      flex-wrap: wrap;
      align-items: flex-end;
      justify-content: space-between;
      gap: 16px;
      margin-bottom: 24px;
    }
    h1 {
      margin: 0;
      font-size: 1.625rem;
      font-weight: 600;
      letter-spacing: -0.01em;
      color: var(--app-text);
    }
    p {
      margin: 6px 0 0;
      max-width: 72ch;
      color: var(--app-text-muted);
      line-height: 1.5;
    }
    .actions {
      display: flex;
      gap: 8px;
    }
    .actions:empty {
      display: none;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PageHeaderComponent {
  readonly heading = input.required<string>();
  readonly description = input<string>();
}
