import { Injectable } from '@nestjs/common';

/** The service's one source of time; tests replace it to move time without waiting. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
