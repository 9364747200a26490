import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CustomerStory } from '../adapters/customer-story.js';
import { DynamoCustomerStore } from '../adapters/dynamo-customers.js';
import { floorCheckKey } from '../adapters/dynamo-ledger.js';
import { DynamoSuppressionStore } from '../adapters/dynamo-suppressions.js';
import { documentClientFor } from '../adapters/runtime.js';
import { localDateOf, localTimeOf } from '../core/calendar.js';
import { hasMarketingConsent } from '../core/consent.js';
import { RECORDS_NOT_PLANNED } from '../core/jobs/customer-changed.js';
import { maskEmailsIn } from '../core/mask.js';
import { isFinal } from '../core/messages.js';
import { dynamoDbClient } from '../local/local-stack.js';
import type { LocalSystem, SimulationResult } from '../local/simulation.js';

/** What the stack holds of a customer beyond their records, which the run forward starts from. */
export type StoredState = Pick<CustomerStory, 'customerId' | 'preferences' | 'suppression' | 'ledger' | 'messages'>;

/**
 * Writes what the stack holds of the customer into the preview's own tables before their records are
 * imported: what they chose (unsubscribed, service only), their address's suppression, their ledger
 * (last contact, the cap, the floor check) and their messages, sent, waiting or ended. The run forward
 * then meets what the dispatcher will meet. Their records are planned again on top of it (the ledger's
 * `recordsPlannedIn` cleared): a message planned already keeps its id, and so is not planned twice.
 */
export const seedStoredState = async (system: LocalSystem, state: StoredState): Promise<void> => {
  const db = documentClientFor(dynamoDbClient(system.options.dynamodbEndpoint));
  if (state.preferences) await new DynamoCustomerStore(db, system.tables.Customers).setPreferences(state.preferences);
  if (state.suppression) await new DynamoSuppressionStore(db, system.tables.Suppressions).suppress([state.suppression]);
  if (state.ledger) {
    const { floorCheckDate, ...ledger } = state.ledger;
    const check = floorCheckDate === undefined ? {} : { floorCheckDate: floorCheckKey(floorCheckDate, state.customerId, system.dueShards) };
    await db.send(new PutCommand({ TableName: system.tables.Ledger, Item: { ...ledger, ...check, recordsPlannedIn: RECORDS_NOT_PLANNED } }));
  }
  for (const message of state.messages) await db.send(new PutCommand({ TableName: system.tables.Messages, Item: message }));
};

/**
 * `retention preview`: what one customer will receive next, when, and why, or why not. It comes from
 * running that customer forward through the real handlers, so it is what will happen, not a guess.
 */
export const formatPreview = (customerId: string, profile: Record<string, unknown>, result: SimulationResult, stored?: StoredState): string => {
  const timeZone = String(profile.timeZone);
  // Messages that had ended for good before the window are the past, not what the customer will receive;
  // one ended provisionally (still in `waitingByCustomer`) may come back and go.
  const endedBefore = new Set((stored?.messages ?? []).filter((m) => isFinal(m.state) && !('waitingCustomerId' in m)).map((m) => m.messageId));
  const chose = stored?.preferences ? `; preferences: receive ${stored.preferences.receive}` : '';
  const suppressed = stored?.suppression ? `; SUPPRESSED: ${stored.suppression.reason}` : '';
  const lines = [
    `${customerId}: ${profile.locale ?? 'en'}, ${timeZone}, ${profile.tier ?? 'standard'}; marketing consent ${hasMarketingConsent(profile) ? 'yes' : 'NO (only service messages)'}${chose}${suppressed}; birthday ${profile.birthday ?? 'not on record'}`,
    `Window ${result.report.window.start.slice(0, 10)} → ${result.report.window.end.slice(0, 10)}, configuration: cap ${result.report.config.cadence.minDaysBetween} days, floor ${result.report.config.cadence.maxDaysBetween} days, quiet ${result.report.config.cadence.quietHours.start}–${result.report.config.cadence.quietHours.end}`,
  ];
  const when = (iso: string) => `${localDateOf(new Date(iso), timeZone)} ${localTimeOf(new Date(iso), timeZone)}`;
  const events = [
    ...result.report.messages.filter((m) => !endedBefore.has(m.messageId)).map((m) => ({ at: m.sentAt ?? m.dueAt, line: `${m.state === 'sent' ? 'sends  ' : 'will not'} ${when(m.sentAt ?? m.dueAt)}  ${m.campaign.padEnd(18)} ${m.state === 'sent' ? `"${m.subject}"` : `${m.state}: ${String(m.reason)}`}` })),
    ...result.waiting.map((m) => ({ at: m.sendAfter, line: `later   ${when(m.sendAfter)}  ${m.campaign.padEnd(18)} ${m.state}${m.reason ? `: ${m.reason}` : ''} (due ${when(m.dueAt)}, until ${when(m.deadline)})` })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  lines.push(...(events.length ? events.map((e) => `  ${e.line}`) : ['  Nothing is planned in this window.']));
  // Every address masked in one place: a reason may quote one, and an id may be one.
  return maskEmailsIn(lines.join('\n'));
};
