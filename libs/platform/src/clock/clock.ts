/**
 * Where the services read the time of day: the runtime decides commands at `now()` and fires timers by it. Injected
 * (`CLOCK`) so that tests run timers by moving a `ManualClock` instead of waiting for wall time.
 */
export interface Clock {
  now(): Date;
  /**
   * Calls `listener` whenever the time jumps (a `ManualClock` set or advanced); returns the unsubscribe function. A
   * system clock has no jumps to tell of: whoever waits for a time sets its own timer.
   */
  onChange?(listener: () => void): () => void;
}

export const CLOCK = Symbol('trellis.Clock');

/** The wall clock: what every service uses unless a test provides another. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until it is told to move (tests): timers fall due when it is advanced past them. */
export class ManualClock implements Clock {
  private current: number;
  private readonly listeners = new Set<() => void>();

  constructor(start: Date | string = '2026-01-01T09:00:00.000Z') {
    this.current = new Date(start).getTime();
    if (Number.isNaN(this.current)) throw new TypeError(`ManualClock: '${String(start)}' is not a date-time`);
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Moves the clock forward by `ms` milliseconds (never backward) and tells the listeners. */
  advance(ms: number): Date {
    if (!(ms >= 0)) throw new RangeError(`ManualClock: cannot advance by ${ms} ms`);
    return this.set(new Date(this.current + ms));
  }

  /** Sets the time (forward or backward, as a wall clock adjusted by NTP may) and tells the listeners. */
  set(time: Date | string): Date {
    const next = new Date(time).getTime();
    if (Number.isNaN(next)) throw new TypeError(`ManualClock: '${String(time)}' is not a date-time`);
    this.current = next;
    for (const listener of [...this.listeners]) listener();
    return this.now();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
