import { Module } from '@nestjs/common';
import { PagePass } from './page-pass';
import { PublicRateLimits } from './public-rate-limits';
import { RateLimitMissInterceptor } from './rate-limit-miss.interceptor';
import { RateLimitGuard } from './rate-limit.guard';
import { TechnicianRateLimits } from './technician-rate-limits';

/**
 * Rate limiting as policy on the route. AppModule registers {@link RateLimitGuard} and
 * {@link RateLimitMissInterceptor} globally; the connect page uses {@link PagePass}.
 */
@Module({
  providers: [PublicRateLimits, TechnicianRateLimits, PagePass, RateLimitGuard, RateLimitMissInterceptor],
  exports: [PublicRateLimits, TechnicianRateLimits, PagePass, RateLimitGuard, RateLimitMissInterceptor],
})
export class RateLimitModule {}
