import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanAll } from '../adapters/query-pages.js';
import { localDateOf, localTimeOf } from '../core/calendar.js';
import type { RetentionConfig } from '../core/config.js';
import { isFinal, type Message, type MessageState } from '../core/messages.js';
import type { NdjsonRejection, NdjsonWarning } from '../core/records.js';
import type { ReportLift } from './lift-report.js';
import type { SyntheticCounts } from './synthetic-outcomes.js';
import type { SampleSection } from './customer-figures.js';

/** The simulation report of SPEC.md ("Simulation"). */
export interface ReportMessage {
  readonly messageId: string;
  readonly customerId: string;
  readonly campaign: string;
  readonly state: MessageState;
  readonly reason: string | null;
  readonly dueAt: string;
  readonly sentAt: string | null;
  readonly localDate: string | null;
  readonly localTime: string | null;
  readonly timeZone: string;
  readonly locale: string | null;
  readonly subject: string | null;
  /** What a keep-in-touch e-mail was about; null for other campaigns. */
  readonly content?: string | null;
  readonly sesMessageId: string | null;
}

/** `heldOut`: messages of customers in a campaign's holdout (measurement/holdout.ts), recorded and never sent. */
export type StateCounts = Record<'sent' | 'deferred' | 'expired' | 'suppressed' | 'cancelled' | 'heldOut', number>;

export interface ReportLine {
  readonly line: number;
  readonly record?: string;
  readonly reason: string;
}

export interface SimulationReport {
  readonly window: { readonly start: string; readonly end: string };
  readonly config: RetentionConfig;
  readonly messages: ReportMessage[];
  /** `record` names it (`customer c-2`); reports written before it was kept have none. */
  readonly rejected: ReportLine[];
  /** Lines imported, but perhaps not as meant (a locale without templates, a record given again by a later line). */
  readonly warnings: ReportLine[];
  readonly summary: StateCounts & { readonly byCampaign: Record<string, StateCounts> };
  /** Held out against treated customers (lift-report.ts); what `retention lift --report` reads. Absent in reports made before it. */
  readonly lift?: ReportLift;
  /**
   * The synthetic response model the simulation ran with (docs/response-model.md), when one was given:
   * the outcomes it wrote are made up, to test the measurement, and must be shown as synthetic.
   */
  readonly responseModel?: ReportResponseModel;
  /**
   * Present when the simulation ran on a sample of the cohort's customers (`--sample`): n, N, the
   * sample's key, and each figure scaled to the whole cohort with its 95 % interval (customer-figures.ts).
   * Everything else in the report is the sample's own.
   */
  readonly sample?: SampleSection;
}

export interface ReportResponseModel {
  readonly synthetic: true;
  readonly description: string;
  readonly seed: number;
  /** The model's file, as given. */
  readonly file: string | null;
  /** What it wrote over the window. */
  readonly wrote: SyntheticCounts;
}

const emptyCounts = (): StateCounts => ({ sent: 0, deferred: 0, expired: 0, suppressed: 0, cancelled: 0, heldOut: 0 });

export const readAllMessages = async (client: DynamoDBDocumentClient, tableName: string): Promise<Message[]> => (await scanAll(client, { TableName: tableName })) as unknown as Message[];

export const buildReport = (input: {
  start: Date;
  end: Date;
  config: RetentionConfig;
  messages: readonly Message[];
  rejected: readonly NdjsonRejection[];
  warnings?: readonly NdjsonWarning[];
}): SimulationReport => {
  const finished = input.messages
    .filter((message) => isFinal(message.state))
    .sort((a, b) => (a.sentAt ?? a.dueAt).localeCompare(b.sentAt ?? b.dueAt) || a.messageId.localeCompare(b.messageId));
  const summary = { ...emptyCounts(), byCampaign: {} as Record<string, StateCounts> };
  const count = (campaign: string, state: keyof StateCounts) => {
    summary[state]++;
    (summary.byCampaign[campaign] ??= emptyCounts())[state]++;
  };
  for (const message of input.messages) {
    if (message.state in summary && message.state !== 'planned' && message.state !== 'sending') count(message.campaign, message.state as keyof StateCounts);
  }
  return {
    window: { start: input.start.toISOString(), end: input.end.toISOString() },
    config: input.config,
    messages: finished.map((message) => {
      const sentAt = message.state === 'sent' && message.sentAt ? new Date(message.sentAt) : null;
      return {
        messageId: message.messageId,
        customerId: message.customerId,
        campaign: message.campaign,
        state: message.state,
        reason: message.reason ?? null,
        dueAt: message.dueAt,
        sentAt: sentAt?.toISOString() ?? null,
        localDate: sentAt ? localDateOf(sentAt, message.timeZone) : null,
        localTime: sentAt ? localTimeOf(sentAt, message.timeZone) : null,
        timeZone: message.timeZone,
        locale: message.locale ?? null,
        subject: message.subject ?? null,
        content: message.content ?? null,
        sesMessageId: message.sesMessageId ?? null,
      };
    }),
    rejected: input.rejected.map(({ line, record, reason }) => ({ line, record, reason })),
    warnings: (input.warnings ?? []).map(({ line, record, reason }) => ({ line, record, reason })),
    summary,
  };
};
