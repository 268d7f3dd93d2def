import { Injectable } from '@nestjs/common';

/**
 * The wall clock, injected where a job's decisions depend on the date (retention), so a test can move
 * time forward by replacing `now` on the instance instead of waiting or faking timers.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
