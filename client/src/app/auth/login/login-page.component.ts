import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  ElementRef,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { FormGroupDirective, NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { Router } from '@angular/router';

import { ApiError, toApiError } from '../../core/api-error';
import { registerAppIcons } from '../../core/app-icons';
import { BrandingService } from '../../core/branding.service';
import { t } from '../../core/i18n/i18n';
import { TranslatePipe } from '../../core/i18n/translate.pipe';
import { AuthService } from '../auth.service';
import { safeReturnUrl } from '../return-url';

@Component({
  selector: 'app-login-page',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    TranslatePipe,
  ],
  templateUrl: './login-page.component.html',
  styleUrl: './login-page.component.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LoginPageComponent {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly destroyRef = inject(DestroyRef);
  private readonly passwordInput = viewChild.required<ElementRef<HTMLInputElement>>('passwordInput');
  private readonly formDirective = viewChild.required(FormGroupDirective);

  /** `?returnUrl=` (bound by the router): where to go after signing in. */
  readonly returnUrl = input<string>();

  protected readonly brand = inject(BrandingService).brand;
  protected readonly form = inject(NonNullableFormBuilder).group({
    email: ['', [Validators.required, Validators.email, Validators.maxLength(254)]],
    password: ['', [Validators.required, Validators.maxLength(256)]],
  });
  protected readonly submitting = signal(false);
  private readonly failure = signal<string | null>(null);

  // Rate limiting (429 + Retry-After): count down and keep the button disabled until then.
  private readonly retryAt = signal<number | null>(null);
  private readonly now = signal(Date.now());
  private ticker: ReturnType<typeof setInterval> | undefined;
  protected readonly retryIn = computed(() => {
    const at = this.retryAt();
    return at === null ? 0 : Math.max(0, Math.ceil((at - this.now()) / 1000));
  });
  protected readonly errorMessage = computed(() =>
    this.retryIn() > 0 ? t('login.tooManyAttempts', { seconds: this.retryIn() }) : this.failure(),
  );

  constructor() {
    registerAppIcons();
    this.destroyRef.onDestroy(() => clearInterval(this.ticker));
  }

  protected async submit(): Promise<void> {
    if (this.submitting() || this.retryIn() > 0) return;
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.submitting.set(true);
    this.failure.set(null);
    try {
      await this.auth.login(this.form.getRawValue());
      await this.router.navigateByUrl(safeReturnUrl(this.returnUrl()));
    } catch (caught: unknown) {
      this.showFailure(toApiError(caught));
    } finally {
      this.submitting.set(false);
    }
  }

  private showFailure(error: ApiError): void {
    switch (error.code) {
      case 'invalid_credentials':
        this.failure.set(t('login.invalidCredentials'));
        break;
      case 'rate_limited':
        this.failure.set(error.message);
        if (error.retryAfterSeconds !== null && error.retryAfterSeconds > 0) {
          this.startCountdown(error.retryAfterSeconds);
        }
        break;
      default:
        this.failure.set(error.message);
    }
    // Start the password over without flagging the now-empty field as an error (resetForm clears
    // the "submitted" state that would otherwise show "Enter your password").
    this.formDirective().resetForm({ email: this.form.controls.email.value, password: '' });
    this.passwordInput().nativeElement.focus();
  }

  private startCountdown(seconds: number): void {
    clearInterval(this.ticker);
    this.now.set(Date.now());
    this.retryAt.set(Date.now() + seconds * 1000);
    this.ticker = setInterval(() => {
      this.now.set(Date.now());
      if (this.retryIn() === 0) {
        clearInterval(this.ticker);
        this.retryAt.set(null);
        this.failure.set(null);
      }
    }, 250);
  }
}
