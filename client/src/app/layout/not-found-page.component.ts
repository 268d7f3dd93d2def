import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { RouterLink } from '@angular/router';

import { PageHeaderComponent } from '../shared/page-header.component';

@Component({
  selector: 'app-not-found-page',
  imports: [MatButtonModule, PageHeaderComponent, RouterLink],
  template: `
    <app-page-header
      heading="Page not found"
      description="There is no page at this address. It may have moved, or the link may be mistyped."
    />
    <a matButton="outlined" routerLink="/quick-support">Go to Quick-Support</a>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NotFoundPageComponent {}
