import { localDateOf, localTimeOf } from '../core/calendar.js';
import { hasMarketingConsent } from '../core/consent.js';
import type { SimulationResult } from '../local/simulation.js';

/**
 * `retention preview`: what one customer will receive next, when, and why, or why not. It comes from
 * running that customer forward through the real handlers, so it is what will happen, not a guess.
 */
export const formatPreview = (customerId: string, profile: Record<string, unknown> | undefined, result: SimulationResult): string => {
  if (!profile) return `No customer ${customerId} on record.`;
  const timeZone = String(profile.timeZone);
  const lines = [
    `${customerId}: ${profile.locale ?? 'en'}, ${timeZone}, ${profile.tier ?? 'standard'}; marketing consent ${hasMarketingConsent(profile) ? 'yes' : 'NO (only service messages)'}; birthday ${profile.birthday ?? 'not on record'}`,
    `Window ${result.report.window.start.slice(0, 10)} → ${result.report.window.end.slice(0, 10)}, configuration: cap ${result.report.config.cadence.minDaysBetween} days, floor ${result.report.config.cadence.maxDaysBetween} days, quiet ${result.report.config.cadence.quietHours.start}–${result.report.config.cadence.quietHours.end}`,
  ];
  const when = (iso: string) => `${localDateOf(new Date(iso), timeZone)} ${localTimeOf(new Date(iso), timeZone)}`;
  const events = [
    ...result.report.messages.map((m) => ({ at: m.sentAt ?? m.dueAt, line: `${m.state === 'sent' ? 'sends  ' : 'will not'} ${when(m.sentAt ?? m.dueAt)}  ${m.campaign.padEnd(18)} ${m.state === 'sent' ? `"${m.subject}"` : `${m.state}: ${m.reason}`}` })),
    ...result.waiting.map((m) => ({ at: m.sendAfter, line: `later   ${when(m.sendAfter)}  ${m.campaign.padEnd(18)} ${m.state}${m.reason ? `: ${m.reason}` : ''} (due ${when(m.dueAt)}, until ${when(m.deadline)})` })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  lines.push(...(events.length ? events.map((e) => `  ${e.line}`) : ['  Nothing is planned in this window.']));
  return lines.join('\n');
};
