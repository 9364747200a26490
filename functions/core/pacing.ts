/**
 * Pacing: the moments the dispatcher hands messages to SES, so a run never sends faster than the SES
 * account allows (`SendQuota.MaxSendRate`, or `sending.maxSendRate`) and SES never has to throttle.
 *
 * `SendSchedule` is the arithmetic, pure and clock-free: evenly spaced start times at the rate (GCRA,
 * the "virtual scheduling" form of a token bucket), `burst` of them at once at most, so in any window
 * of t seconds at most `rate·t + burst` starts. `SendPacer` puts it on a clock the caller gives (real
 * time in Lambda and in the paced benchmark, a fake one in tests) and keeps a run inside the time it has.
 */

/** The rate the dispatcher falls back to when the account's cannot be read: SES's sandbox rate, one a second. */
export const FALLBACK_SEND_RATE = 1;

/**
 * The share of the rate a pacer leaves unused. Its starts are spaced at least an interval apart by the
 * moment each is really made, but each reaches SES some milliseconds later, never by the same amount,
 * so two can arrive closer than they started. At 98 % of the rate, rate + 1 starts span 1000 / 0.98 ≈
 * 1020 ms: the arrivals of any second hold no more than the rate unless their delays differ by 20 ms or more (whatever the rate).
 */
export const SEND_RATE_HEADROOM = 0.02;

/** Where a run's rate came from: the configuration's override, the account's quota, or the fallback. */
export type SendRateSource = 'configuration' | 'account' | 'fallback' | 'unpaced';

export interface SendRate {
  readonly perSecond: number;
  readonly source: SendRateSource;
}

/** The rate a run sends at: `sending.maxSendRate` when set, else the account's (or the fallback when it could not be read). */
export const sendRateOf = (override: number | null, account: () => Promise<SendRate>): Promise<SendRate> =>
  override === null ? account() : Promise.resolve({ perSecond: override, source: 'configuration' });

/**
 * How many messages a run works on at once: enough to keep the rate when each takes up to a quarter
 * second from claim to recorded send (a handful of writes and the SES call), 8 at least (as unpaced), 64 at most.
 */
export const sendWorkers = (rate: SendRate): number => (Number.isFinite(rate.perSecond) ? Math.min(64, Math.max(8, Math.ceil(rate.perSecond / 4))) : 8);

/** Evenly spaced start times at `perSecond` (ms of any clock); `burst` at once at most. */
export class SendSchedule {
  /** Milliseconds between two starts (0 when the rate is unbounded). */
  readonly interval: number;
  private readonly tolerance: number;
  /** The theoretical time of the next start, were the schedule full; the first start sets it, with no credit. */
  private next: number | undefined;

  constructor(
    readonly perSecond: number,
    readonly burst = 1,
  ) {
    if (!(perSecond > 0)) throw new RangeError(`a send rate must be more than 0 a second, not ${perSecond}`);
    if (!(Number.isInteger(burst) && burst >= 1)) throw new RangeError(`a burst must be a whole number of at least 1, not ${burst}`);
    this.interval = Number.isFinite(perSecond) ? 1000 / perSecond : 0;
    this.tolerance = (burst - 1) * this.interval;
  }

  /** The start the next reservation made at `now` would get, taking nothing. */
  peek(now: number): number {
    return this.next === undefined ? now : Math.max(now, this.next - this.tolerance);
  }

  /**
   * Takes the next start at `now`: never before `now`, never closer than the rate allows. Time the
   * schedule was not kept up with (a stall) is credit, up to `burst` starts at once; the first start
   * gives none.
   */
  reserve(now: number): number {
    const start = this.peek(now);
    this.next = this.next === undefined ? start + this.interval + this.tolerance : Math.max(start, this.next) + this.interval;
    return start;
  }
}

/** Real time (or a test's): milliseconds, and a wait on them. */
export interface PacingClock {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * One message's place in the run, from before its claim until it is handed to SES or ends without a send.
 * The wait is in two parts, because what lies between them is the hand-over mark: once it is written,
 * a run that stops leaves the message unconfirmed, never sent again. So the schedule's wait (`turn`)
 * comes before the mark, and only a short guard (`send`) after it.
 */
export interface SendTicket {
  /** Waits for this message's start in the schedule, evenly spaced at the rate (once; later calls do not wait). Before the hand-over mark. */
  turn(): Promise<void>;
  /**
   * Just before SES: waits only while the sends already made leave no room in the window (a second's
   * worth in a second and the headroom), which happens when the writes after `turn` took longer for
   * one message than for the next and bunched them. Usually no wait at all.
   */
  send(): Promise<void>;
  /** The message ended without a send (or was sent): its place is given up. */
  close(): void;
}

/**
 * A run's pacer: `admit` before a message is claimed, `turn` before it is marked handed over, `send` just before SES. Its
 * starts are evenly spaced at the rate less the headroom, by the moment each is really made; time lost
 * to a stall is made up, but never with more than a second's worth of the rate (`windowSends`) in any
 * `windowMs` (a second and the headroom), so no one-second window SES may count holds more. A run
 * claims a message only if its send, behind every message already claimed and not yet sent, still
 * starts before `stopAt`; the rest are never claimed and wait, untouched, for the next run. Messages
 * that end without a send (expired, deferred…) take no start, so the sends, not the claims, follow the rate.
 */
export class SendPacer {
  readonly schedule: SendSchedule;
  /** At most `windowSends` starts in any `windowMs`: a second's worth of the rate, in a second and the headroom. */
  readonly windowSends: number;
  readonly windowMs: number;
  /** The last `windowSends` starts, oldest first. */
  private readonly recent: number[] = [];
  /** Admitted, not yet at their turn nor closed. */
  private pending = 0;
  /** Starts taken so far. */
  sends = 0;

  constructor(
    readonly rate: SendRate,
    private readonly clock: PacingClock,
    /** Past this moment (the clock's ms) no message is admitted. */
    readonly stopAt = Infinity,
    options: { readonly headroom?: number } = {},
  ) {
    const paced = rate.perSecond * (1 - (options.headroom ?? SEND_RATE_HEADROOM));
    this.windowSends = Number.isFinite(rate.perSecond) ? Math.max(1, Math.floor(rate.perSecond)) : Infinity;
    this.windowMs = Number.isFinite(paced) ? (this.windowSends / paced) * 1000 : 0;
    // A second's worth of credit: after a stall the run catches up, as fast as the window allows.
    this.schedule = new SendSchedule(paced, Number.isFinite(this.windowSends) ? this.windowSends : 1);
  }

  /** The earliest a send may reach SES at `now`: no more than `windowSends` sends in any `windowMs`. */
  private windowOpensAt(now: number): number {
    return this.recent.length < this.windowSends ? now : Math.max(now, this.recent[0]! + this.windowMs);
  }

  /**
   * Waits until `earliest(now)` is not later than now, then `take(now)` in the same step: concurrent
   * waiters never all pass the check before one of them takes its place.
   */
  private async waitThenTake(earliest: (now: number) => number, take: (now: number) => void): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const at = earliest(now);
      if (at <= now) return take(now);
      await this.clock.sleep(at - now);
    }
  }

  /** A place for one more message, or undefined when its send could not start before `stopAt`. */
  admit(): SendTicket | undefined {
    const start = this.schedule.peek(this.clock.now()) + this.pending * this.schedule.interval;
    if (start >= this.stopAt) return undefined;
    this.pending++;
    let open = true;
    const leave = () => {
      if (open) this.pending--;
      open = false;
    };
    return {
      turn: async () => {
        if (!open) return;
        leave();
        // A start is taken when it is made, never booked ahead: after a stall (a slow write, a busy
        // event loop) the waiting messages go one interval apart again, not all at once.
        await this.waitThenTake(
          (now) => this.schedule.peek(now),
          (now) => {
            this.schedule.reserve(now);
            this.sends++;
          },
        );
      },
      send: async () => {
        if (!Number.isFinite(this.windowSends)) return;
        await this.waitThenTake(
          (now) => this.windowOpensAt(now),
          (now) => {
            this.recent.push(now);
            if (this.recent.length > this.windowSends) this.recent.shift();
          },
        );
      },
      close: leave,
    };
  }
}

/** Every message admitted at once, no waits: the local runner's simulations, whose clock is virtual. */
export const unpaced = (): SendPacer => new SendPacer({ perSecond: Infinity, source: 'unpaced' }, { now: () => 0, sleep: async () => undefined });
