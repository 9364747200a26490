import { isUnknownCustomer, type CustomerStory } from '../adapters/customer-story.js';
import { NEVER } from '../core/cadence.js';
import { localDateOf, localTimeOf } from '../core/calendar.js';
import { hasMarketingConsent, welcomesMarketing } from '../core/consent.js';
import { maskEmail, maskEmailsIn } from '../core/mask.js';
import { isFinal, type Message } from '../core/messages.js';
import type { HoldoutStatus } from '../core/measurement/holdout.js';

const at = (iso: string | undefined, timeZone: string): string => {
  if (!iso) return '—';
  const instant = new Date(iso);
  return `${localDateOf(instant, timeZone)} ${localTimeOf(instant, timeZone)}`;
};

const messageLine = (message: Message, timeZone: string): string => {
  const zone = message.timeZone ?? timeZone;
  const id = `(${message.messageId})`;
  const reason = message.reason ? `: ${message.reason}` : '';
  if (message.state === 'sent') {
    const about = message.content ? ` about ${message.content}` : '';
    return `sent       ${at(message.sentAt, zone)}  ${message.campaign.padEnd(18)} "${message.subject ?? ''}"${about}${message.reason ? ` (${message.reason})` : ''} ${id}`;
  }
  if (!isFinal(message.state)) {
    const deferrals = message.deferrals ? `, deferred ${message.deferrals}×` : '';
    return `${message.state.padEnd(10)} ${at(message.sendAfter, zone)}  ${message.campaign.padEnd(18)} due ${at(message.dueAt, zone)}, until ${at(message.deadline, zone)}${deferrals}${reason} ${id}`;
  }
  // Ended without a send; one still among the waiting (waitingCustomerId) may yet be brought back.
  const provisional = (message as Message & { waitingCustomerId?: string }).waitingCustomerId ? ' (for now: may be brought back before its deadline)' : '';
  return `${message.state.padEnd(10)} ${at(message.updatedAt ?? message.dueAt, zone)}  ${message.campaign.padEnd(18)} was due ${at(message.dueAt, zone)}${reason}${provisional} ${id}`;
};

/** The customer's holdout group, and what it means for their messages. */
const holdoutLine = (holdout: HoldoutStatus | undefined): string => {
  if (!holdout) return 'unknown (the stored configuration does not validate: see `retention config get`)';
  if (holdout.group === 'treated') return 'treated (in no holdout: every campaign\'s messages go)';
  const which = holdout.group === 'heldOut' ? `every campaign that can be (${holdout.heldOutOf.join(', ')})` : holdout.heldOutOf.join(', ');
  return `${holdout.group === 'heldOut' ? 'HELD OUT' : 'mixed: held out'} of ${which} (measurement): those messages are recorded heldOut, never sent; complaint follow-ups always go`;
};

const when = (message: Message): string => message.sentAt ?? (!isFinal(message.state) ? message.sendAfter : (message.updatedAt ?? message.dueAt));

/**
 * `retention explain <customerId>`: one customer's whole contact story as stored: who they are (the
 * address masked), consent, preferences and suppression, the ledger, and every message with its
 * state and reason. It reads; it changes nothing. Every address in it is masked, in one place at the
 * end: a reason may quote one, and a business whose ids are addresses has one in every message id.
 */
export const formatExplain = (story: CustomerStory): string => {
  const profile = story.records.find((record) => record.type === 'customer');
  const others = story.records.filter((record) => record.type !== 'customer');
  if (isUnknownCustomer(story)) return maskEmailsIn(`No customer ${story.customerId} on record.`);
  const timeZone = typeof profile?.timeZone === 'string' ? profile.timeZone : 'UTC';
  const lines: string[] = [];

  if (profile) {
    const email = typeof profile.email === 'string' ? maskEmail(profile.email) : 'no address';
    lines.push(`${story.customerId} <${email}>: ${profile.locale ?? 'en'}, ${timeZone}, ${profile.tier ?? 'standard'}; birthday ${profile.birthday ?? 'not on record'}`);
  } else {
    lines.push(`${story.customerId}: no profile on record`);
  }
  const byType = new Map<string, number>();
  for (const record of others) byType.set(String(record.type), (byType.get(String(record.type)) ?? 0) + 1);
  lines.push(`Records:     ${byType.size ? [...byType].map(([type, n]) => `${n} ${type}${n === 1 ? '' : 's'}`).join(', ') : 'the profile only'}`);

  lines.push(`Consent:     ${profile ? (hasMarketingConsent(profile) ? 'marketing yes (marketingOptIn true)' : `marketing NO (marketingOptIn ${profile.marketingOptIn ?? 'absent'}): service messages only`) : 'unknown (no profile)'}`);
  lines.push(
    `Preferences: ${
      story.preferences
        ? `receive ${story.preferences.receive} (chosen ${story.preferences.updatedAt})${story.preferences.receive === 'nothing' ? ': not even service messages' : story.preferences.receive === 'service' ? ': no marketing' : ''}`
        : 'none chosen'
    }`,
  );
  lines.push(`Suppression: ${story.suppression ? `SUPPRESSED since ${story.suppression.since}: ${story.suppression.reason} (nothing is sent to ${story.suppression.address})` : profile?.email ? 'none (the address is not suppressed)' : 'no address'}`);

  lines.push(`Holdout:     ${holdoutLine(story.holdout)}`);

  const ledger = story.ledger;
  if (ledger) {
    lines.push('Ledger:');
    lines.push(`  last contact        ${ledger.lastContactDate}${ledger.openedOn === ledger.lastContactDate ? ' (when the ledger was opened)' : ''}`);
    lines.push(`  last capped send    ${ledger.lastCappedDate === NEVER ? 'never' : ledger.lastCappedDate}${ledger.lastCappedMessageId ? ` (${ledger.lastCappedMessageId})` : ''}`);
    // Without consent (or with marketing refused on the preference page) there is no floor to be put back on.
    const offFloor = ledger.unreachableAddress !== undefined && profile !== undefined && welcomesMarketing({ marketingOptIn: profile.marketingOptIn === true }, story.preferences) ? 'none: off the contact floor since a message met the suppression of their address (`suppression remove` puts them back)' : 'none (nothing to check)';
    lines.push(`  next floor check    ${ledger.floorCheckDate ?? offFloor}`);
    lines.push(`  last keep-in-touch  ${ledger.lastKeepInTouchContent ? `about ${ledger.lastKeepInTouchContent}` : 'none yet'}`);
    if (ledger.lastSurveyDate) lines.push(`  last survey         ${ledger.lastSurveyDate}`);
    if (ledger.openedOn) lines.push(`  opened              ${ledger.openedOn}`);
  } else {
    lines.push('Ledger:      none yet (opened when the customer stream first sees the profile)');
  }

  const sorted = [...story.messages].sort((a, b) => when(a).localeCompare(when(b)));
  const sent = sorted.filter((m) => m.state === 'sent').length;
  const waiting = sorted.filter((m) => !isFinal(m.state)).length;
  const ended = sorted.length - sent - waiting;
  lines.push(`Messages:    ${sorted.length} (${sent} sent, ${waiting} waiting, ${ended} ended without a send)`);
  lines.push(...(sorted.length ? sorted.map((m) => `  ${messageLine(m, timeZone)}`) : ['  none']));
  return maskEmailsIn(lines.join('\n'));
};
