import { Pipe, PipeTransform } from '@angular/core';

import { MessageKey, t } from './i18n';

/** `{{ 'nav.users' | t }}`, `{{ 'theme.button' | t: { choice } }}`: a message from the catalogue. */
@Pipe({ name: 't' })
export class TranslatePipe implements PipeTransform {
  transform(key: MessageKey, params?: Readonly<Record<string, string | number>>): string {
    return t(key, params);
  }
}
