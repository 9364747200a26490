import { createHmac } from 'node:crypto';
import type { CampaignName, RetentionConfig } from '../config.js';

/**
 * Holdout groups (SPEC.md, "Measuring retention"). Each customer has a place in [0, 100) drawn from a
 * keyed hash of their id (HMAC-SHA256, the configuration's `measurement.salt` as the key): the same id
 * and salt give the same place in every run, function and deployment, and only a new salt moves it.
 * A customer is held out of a campaign when their place is below the campaign's holdout share, so
 * raising a share only adds customers to its holdout, and the holdouts of campaigns are nested: one
 * held out at 5 % is held out at 10 % too.
 */

/** Campaigns a customer can be held out of: all but complaint follow-ups, which are always sent. */
export const HOLDABLE_CAMPAIGNS = ['birthday', 'renewal', 'survey', 'keepInTouch'] as const satisfies readonly CampaignName[];
export type HoldableCampaign = (typeof HOLDABLE_CAMPAIGNS)[number];

export const isHoldable = (campaign: CampaignName): campaign is HoldableCampaign => (HOLDABLE_CAMPAIGNS as readonly CampaignName[]).includes(campaign);

type Measurement = RetentionConfig['measurement'];

/** The customer's place in [0, 100): the first 52 bits of the keyed hash, as a share. */
export const holdoutPlaceOf = (customerId: string, salt: string): number => {
  const digest = createHmac('sha256', salt).update(customerId).digest();
  // 52 bits: every value is exact in a double.
  const bits = digest.readUIntBE(0, 6) * 16 + (digest[6]! >> 4);
  return (bits / 2 ** 52) * 100;
};

/** The share held out of a campaign: its own when it has one, the global one otherwise; 0 for complaint follow-ups. */
export const holdoutPercentOf = (campaign: CampaignName, measurement: Measurement): number =>
  isHoldable(campaign) ? (measurement.campaigns[campaign]?.holdoutPercent ?? measurement.holdoutPercent) : 0;

/** Whether this customer's messages of this campaign are held out (recorded `heldOut`, never sent). */
export const isHeldOut = (customerId: string, campaign: CampaignName, measurement: Measurement): boolean =>
  holdoutPlaceOf(customerId, measurement.salt) < holdoutPercentOf(campaign, measurement);

/** Why a held-out message was not sent: the reason it is recorded with. */
export const heldOutReason = (campaign: CampaignName, measurement: Measurement): string => {
  const own = isHoldable(campaign) && measurement.campaigns[campaign] !== undefined;
  return `held out to measure what ${campaign} messages do: the customer is in the ${holdoutPercentOf(campaign, measurement)} % holdout (measurement.${own ? `campaigns.${campaign}.` : ''}holdoutPercent)`;
};

/**
 * The customer's group for a comparison: `heldOut` when held out of every campaign compared, `treated`
 * when held out of none, `mixed` otherwise (held out of some campaigns only, when their shares differ;
 * left out of the comparison). `campaigns` defaults to every campaign that can be held out.
 */
export type HoldoutGroup = 'heldOut' | 'treated' | 'mixed';

export const holdoutGroupOf = (customerId: string, measurement: Measurement, campaigns: readonly HoldableCampaign[] = HOLDABLE_CAMPAIGNS): HoldoutGroup => {
  const heldOutOf = campaigns.filter((campaign) => isHeldOut(customerId, campaign, measurement));
  if (heldOutOf.length === 0) return 'treated';
  return heldOutOf.length === campaigns.length ? 'heldOut' : 'mixed';
};

/** What `explain` and `export` say of a customer's holdout: their group and the campaigns they are held out of. */
export interface HoldoutStatus {
  readonly group: HoldoutGroup;
  readonly heldOutOf: readonly HoldableCampaign[];
}

export const holdoutStatusOf = (customerId: string, measurement: Measurement): HoldoutStatus => ({
  group: holdoutGroupOf(customerId, measurement),
  heldOutOf: HOLDABLE_CAMPAIGNS.filter((campaign) => isHeldOut(customerId, campaign, measurement)),
});
