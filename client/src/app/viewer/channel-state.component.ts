import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';

import { askAgainAvailability, channelStateSentence } from './channel-states';
import { ViewerSessionService } from './viewer-session.service';

/**
 * Where one channel stands while it is not open, in words, over its tab: waiting for the customer
 * (with the time left), refused, switched off on the device or failed, with Ask again where the
 * portal allows it. The device's message is untrusted: shown as text only.
 */
@Component({
  selector: 'app-channel-state',
  imports: [MatButtonModule, MatIconModule, MatProgressSpinnerModule],
  templateUrl: './channel-state.component.html',
  styleUrl: './channel-state.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ChannelStateComponent {
  private readonly viewer = inject(ViewerSessionService);

  readonly channel = input.required<string>();

  protected readonly view = computed(() => this.viewer.channelState(this.channel())());
  protected readonly waiting = computed(() => {
    const state = this.view()?.state;
    return state === 'opening' || state === 'asking';
  });
  protected readonly sentence = computed(() => {
    const view = this.view();
    return view ? channelStateSentence(view, this.viewer.now()) : '';
  });
  /** The sentence without its countdown, for screen readers (announced once per change). */
  protected readonly announcement = computed(() => {
    const view = this.view();
    return view ? channelStateSentence({ ...view, deadline: null }, 0) : '';
  });
  protected readonly askAgain = computed(() => {
    const view = this.view();
    const session = this.viewer.session();
    if (!view || !session) return { kind: 'none' as const };
    return askAgainAvailability(view, session.status, this.viewer.now());
  });
  protected readonly waitSeconds = computed(() => {
    const ask = this.askAgain();
    return ask.kind === 'wait' ? ask.seconds : 0;
  });
  protected readonly limitSentence = computed(() => {
    const ask = this.askAgain();
    return ask.kind === 'limit' ? ask.sentence : '';
  });
  protected readonly asking = computed(() => this.viewer.askingAgain().has(this.channel()));
  protected readonly error = computed(() => this.viewer.askAgainErrors()[this.channel()] ?? null);

  protected ask(): void {
    void this.viewer.askAgain(this.channel());
  }
}
