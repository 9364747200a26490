import { InvalidRecordError } from '../errors.js';
import type { LedgerEntry, SuppressionStore } from '../ports.js';
import { PROFILE_RECORD_KEY } from '../records.js';
import { addressKey, type Suppression } from '../suppression.js';
import { customerChanged, type CustomerChangedDeps } from './customer-changed.js';

export interface LiftSuppressionDeps extends CustomerChangedDeps {
  readonly suppressions: SuppressionStore;
}

export interface LiftedSuppression {
  /** The suppression lifted, or undefined when the address had none. */
  readonly lifted: Suppression | undefined;
  /** The customers it had taken off the contact floor, on it again. */
  readonly backOnFloor: readonly string[];
  /** Those whose profile no longer validates: they stay off until it is mended, as a profile write would leave them. */
  readonly invalidProfiles: readonly { readonly customerId: string; readonly reason: string }[];
  /** Those with a ledger but no profile (deleted by hand): nobody to put back. */
  readonly withoutProfile: readonly string[];
  /** Those whose profile or preferences do not let marketing reach them: their ledger is open again, but they have no floor to keep. */
  readonly withoutMarketing: readonly string[];
}

/**
 * Lifts an address's suppression (`retention suppression remove`: made by mistake, or the customer asked to
 * be written to again) and puts back on the contact floor the customers the dispatcher took off it when it
 * met that suppression: for each, what a write of their profile does (customer-changed.ts), which opens
 * their ledger again from the profile as it is now and makes their plan again. The customers are looked
 * for even when the address was no longer suppressed, so a lift that stopped half-way is finished by
 * running it again.
 */
export const liftSuppression = async (deps: LiftSuppressionDeps, address: string, now: Date): Promise<LiftedSuppression> => {
  const key = addressKey(address);
  const lifted = await deps.suppressions.remove(key);
  const backOnFloor: string[] = [];
  const invalidProfiles: { customerId: string; reason: string }[] = [];
  const withoutProfile: string[] = [];
  const withoutMarketing: string[] = [];
  for (const customerId of await deps.ledger.unreachableBecauseOf(key)) {
    let ledger: LedgerEntry | undefined;
    try {
      ({ ledger } = await customerChanged(deps, { customerId, recordKey: PROFILE_RECORD_KEY }, now));
    } catch (error) {
      if (!(error instanceof InvalidRecordError)) throw error;
      invalidProfiles.push({ customerId, reason: error.message });
      continue;
    }
    // Opening the ledger from the profile takes the mark off and says whether marketing may reach them
    // (consent and preferences); without a profile nothing opened it.
    if (ledger === undefined) withoutProfile.push(customerId);
    else if (ledger.marketingOptIn !== true) withoutMarketing.push(customerId);
    else backOnFloor.push(customerId);
  }
  return { lifted, backOnFloor, invalidProfiles, withoutProfile, withoutMarketing };
};
