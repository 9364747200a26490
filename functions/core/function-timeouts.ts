/**
 * How long each function may run, in seconds: the CDK stack gives Lambda these, and the local runner
 * gives its handlers the same (middy ends an invocation that would outlive it, as Lambda would).
 */
export const functionTimeoutSeconds = {
  /** One daily run over every customer whose day or floor check it is. */
  planner: 15 * 60,
  /** The erasures' second passes, then one queue write: the run's parts for the senders. */
  dispatchCoordinator: 60,
  /** Shorter than the claim lease (config dispatcher.claimLeaseMinutes, refused by config.ts unless it is longer by a margin), so no claim outlives its run unnoticed. */
  dispatcher: 5 * 60,
  /** A batch of records, a few writes each. */
  customerStream: 60,
  /** One click. */
  links: 10,
  /** A few SES events. */
  mailEvents: 30,
  /** One configuration write, when an SES reputation alarm goes off. */
  pauseMarketing: 30,
} as const;

/**
 * How many times Lambda runs a failed planner run again (the schedule invokes it asynchronously), each
 * going on from the watermarks the last one left; the local runner does the same.
 */
export const PLANNER_RETRIES = 2;
