/**
 * What a customer chose on their preference page or with one-click unsubscribe (SPEC.md, Email):
 * kept in its own item beside the profile, so a business system rewriting the profile can never
 * undo it. `marketing`: everything; `service`: no marketing; `nothing`: not even service messages.
 */
export const subscriptions = ['marketing', 'service', 'nothing'] as const;
export type Subscription = (typeof subscriptions)[number];

export interface Preferences {
  readonly customerId: string;
  readonly receive: Subscription;
  readonly updatedAt: string;
}

export const PREFERENCES_RECORD_KEY = 'preferences';

export const isSubscription = (value: unknown): value is Subscription => typeof value === 'string' && (subscriptions as readonly string[]).includes(value);

/** A stored preferences item, or undefined when there is none or it is not one we wrote. */
export const preferencesFromItem = (item: unknown): Preferences | undefined => {
  const candidate = item as Partial<Preferences> | undefined;
  return candidate && typeof candidate.customerId === 'string' && isSubscription(candidate.receive) ? (candidate as Preferences) : undefined;
};
