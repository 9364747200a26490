/**
 * Keep-in-touch e-mails, one template per content (campaigns/keep-in-touch-content.ts): something of
 * value, never an offer. `tierStanding` is the tierProgress content on the top tier, which has no next
 * tier to tell of.
 */
export const keepInTouchVariants = ['points', 'tierProgress', 'tierStanding', 'anniversary', 'news'] as const;
export type KeepInTouchVariant = (typeof keepInTouchVariants)[number];
