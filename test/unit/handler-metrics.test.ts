import { shippedTemplates } from '../../functions/core/templates/index.js';
import { Logger } from '@aws-lambda-powertools/logger';
import type { EmfOutput } from '@aws-lambda-powertools/metrics/types';
import type { APIGatewayProxyEventV2, DynamoDBRecord, DynamoDBStreamEvent, SNSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { retentionMetrics, type HandlerRuntime, type Stores } from '../../functions/adapters/runtime.js';
import { defaultConfig } from '../../functions/core/config.js';
import { InexactNumber } from '../../functions/core/inexact-number.js';
import type { LinkOutcome } from '../../functions/core/jobs/follow-link.js';
import { signLink } from '../../functions/core/links.js';
import type { CustomerStore, ErasureStore, LedgerStore, Outbox, SuppressionStore } from '../../functions/core/ports.js';
import { createCustomerStreamHandler } from '../../functions/handlers/customer-stream.js';
import { createLinksHandler, linkActionOf } from '../../functions/handlers/links.js';
import { createMailEventsHandler } from '../../functions/handlers/mail-events.js';
import { countingEndings, writeMessages, type MessageCounts } from '../../functions/handlers/metrics.js';
import { lambdaContext } from '../../functions/local/lambda-context.js';
import { CollectedMetrics } from '../../functions/local/local-runtime.js';
import { DEFAULT_DUE_SHARDS } from '../../functions/core/messages.js';

const secret = 'a-test-secret-of-enough-length-0123456789';
const now = new Date('2027-03-05T10:00:00Z');

/** A runtime whose figures are collected, over the stores given (the rest refuse to be used). */
const runtimeWith = (stores: () => Partial<Stores>) => {
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const metrics = retentionMetrics((options) => new CollectedMetrics(options), logger);
  const runtime: HandlerRuntime = {
    logger,
    metrics,
    clock: () => now,
    config: async () => defaultConfig,
    templates: async () => shippedTemplates,
    stores: () => stores() as Stores,
    linkSecret: async () => secret,
    linksBaseUrl: () => 'https://links.test',
    dueShards: DEFAULT_DUE_SHARDS,
  };
  return { runtime, written: () => metrics.take() };
};

/** Each document as `{dimensions} metric=value`, the dimension set and values beyond `service`. */
const shown = (documents: EmfOutput[]) =>
  documents.map((doc) => {
    const directive = doc._aws.CloudWatchMetrics[0]!;
    expect(directive.Namespace).toBe('Retention');
    expect(directive.Dimensions).toHaveLength(1);
    expect(directive.Dimensions[0][0]).toBe('service');
    const dimensions = directive.Dimensions[0].slice(1).map((key) => `${key}=${String(doc[key])}`);
    const metrics = directive.Metrics.map((m) => `${m.Name}=${JSON.stringify(doc[m.Name])}`);
    return `{${dimensions.join(',')}} ${metrics.join(' ')}`;
  });

describe('figures the handlers write', () => {
  it('the link endpoint counts each request by what it did', async () => {
    // Prepare
    // c-1 is on record: a profile.
    const profile = new Map([['c-1|customer', { customerId: 'c-1', recordKey: 'customer' }]]);
    const customers = { setPreferences: async () => undefined, getItems: async () => profile, recordSurveyAnswer: async () => 'recorded' } as unknown as CustomerStore;
    const { runtime, written } = runtimeWith(() => ({ customers }));
    const handler = createLinksHandler(runtime);
    const token = signLink({ action: 'unsubscribe', customerId: 'c-1', locale: 'en' }, new Date('2027-04-01T00:00:00Z'), secret);
    const request = (method: string, path: string, query: string) =>
      handler({ rawPath: path, rawQueryString: query, queryStringParameters: query ? { t: query.slice(2) } : undefined, headers: {}, isBase64Encoded: false, requestContext: { http: { method, path } } } as unknown as APIGatewayProxyEventV2, lambdaContext('links'));

    // Act
    await request('GET', '/unsubscribe', `t=${token}`);
    await request('POST', '/unsubscribe', `t=${token}`);
    await request('GET', '/unsubscribe', 't=forged');

    // Assess
    expect(shown(written())).toEqual(['{action=view} LinkActions=1', '{action=unsubscribe} LinkActions=1', '{action=rejected} LinkActions=1']);
  });

  it('every link outcome has its action', () => {
    const outcomes: [LinkOutcome, string][] = [
      [{ kind: 'surveyAnswer', result: 'updated', score: 9, locale: 'en' }, 'surveyAnswer'],
      [{ kind: 'confirmSurveyAnswer', score: 9, token: 't', locale: 'en' }, 'view'],
      [{ kind: 'unsubscribed', receive: 'service', locale: 'en' }, 'unsubscribe'],
      [{ kind: 'confirmUnsubscribe', locale: 'en' }, 'view'],
      [{ kind: 'preferences', receive: 'service', marketingConsent: true, locale: 'en', saved: true }, 'preferences'],
      [{ kind: 'preferences', receive: 'service', marketingConsent: true, locale: 'en', saved: false }, 'view'],
      [{ kind: 'expired', locale: 'en' }, 'expired'],
      [{ kind: 'notFound' }, 'rejected'],
      [{ kind: 'invalid' }, 'rejected'],
      [{ kind: 'badRequest', locale: 'en' }, 'rejected'],
    ];
    expect(outcomes.map(([outcome]) => linkActionOf(outcome))).toEqual(outcomes.map(([, action]) => action));
  });

  it('mail events count the recipients of hard bounces and of complaints, not soft bounces', async () => {
    // Prepare
    const suppressions = { suppress: async () => undefined } as unknown as SuppressionStore;
    const { runtime, written } = runtimeWith(() => ({ suppressions }));
    const recipients = (...addresses: string[]) => addresses.map((emailAddress) => ({ emailAddress }));
    const notifications = [
      { eventType: 'Bounce', bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: recipients('a@example.com', 'b@example.com') } },
      { eventType: 'Bounce', bounce: { bounceType: 'Transient', bouncedRecipients: recipients('c@example.com') } },
      { notificationType: 'Complaint', complaint: { complainedRecipients: recipients('d@example.com') } },
      { eventType: 'Delivery' },
    ];
    const event = { Records: notifications.map((n, i) => ({ Sns: { MessageId: `m-${i}`, Message: JSON.stringify(n) } })) } as unknown as SNSEvent;

    // Act
    await createMailEventsHandler(runtime)(event, lambdaContext('mailEvents'));

    // Assess
    expect(shown(written())).toEqual(['{} Bounces=2 Complaints=1 MailEventsUnreadable=0']);
  });

  it('the customer stream counts invalid records skipped and the record that failed, also when the whole batch fails', async () => {
    // Prepare
    // c-1's profile holds a number no read keeps exactly (an invalid record); reading any other fails.
    const tooBig = { customerId: 'c-1', recordKey: 'customer', loyaltyPoints: new InexactNumber('123456789012345678901234567890') };
    const customers = {
      getItems: async (keys: { customerId: string }[]) => {
        if (keys[0]?.customerId !== 'c-1') throw new Error('ProvisionedThroughputExceededException');
        return new Map([['c-1|customer', tooBig]]);
      },
    } as unknown as CustomerStore;
    const erasures = { receiptsOf: async () => new Map() } as unknown as ErasureStore; // nobody was erased
    const ledger = { setRecordsPlannedIn: async () => undefined } as unknown as LedgerStore; // an invalid profile's records wait for the one that mends it
    const outbox = {} as Outbox; // never reached: every record stops at its read
    const { runtime, written } = runtimeWith(() => ({ customers, erasures, ledger, outbox }));
    const handler = createCustomerStreamHandler(runtime);
    const record = (id: string, sequenceNumber: string): DynamoDBRecord => ({
      eventName: 'MODIFY',
      dynamodb: { SequenceNumber: sequenceNumber, Keys: { customerId: { S: id }, recordKey: { S: 'customer' } }, NewImage: { customerId: { S: id }, recordKey: { S: 'customer' } } as never },
    });

    // Act: an invalid record is skipped, the next one fails (its store refuses), the one after it is held back.
    const partial = await handler({ Records: [record('c-1', '1'), record('c-2', '2'), record('c-3', '3')] } as DynamoDBStreamEvent, lambdaContext('customerStream'));
    const first = written();
    // A batch whose first record fails fails as a whole; its figures are still written.
    await expect(handler({ Records: [record('c-2', '2'), record('c-3', '3')] } as DynamoDBStreamEvent, lambdaContext('customerStream'))).rejects.toThrow();
    const whole = written();

    // Assess
    expect(partial).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }, { itemIdentifier: '3' }] });
    expect(shown(first)).toEqual(['{} StreamRecordsFailed=1 StreamRecordsSkipped=1']);
    expect(shown(whole)).toEqual(['{} StreamRecordsFailed=1 StreamRecordsSkipped=0']);
  });

  it('a message ended at planning time is counted once, when it ends for good, by its campaign and state', async () => {
    // Prepare
    // The store ends a message once: a second end of it, or an end of one taken meanwhile, changes nothing.
    const endedForGood = new Set<string>();
    const store = {
      endWaiting: async (messageId: string, _state: string, _reason: string, _now: Date, options?: { provisional?: boolean }) => {
        if (endedForGood.has(messageId) || messageId.includes('taken')) return false;
        if (!options?.provisional) endedForGood.add(messageId);
        return true;
      },
    } as unknown as Outbox;
    const ended: MessageCounts = new Map();
    const outbox = countingEndings(store, ended);
    const { runtime, written } = runtimeWith(() => ({}));

    // Act
    await outbox.endWaiting('c-1#renewal#k-1#30', 'cancelled', 'the contract was renewed', now);
    await outbox.endWaiting('c-1#renewal#k-1#30', 'cancelled', 'the contract was renewed', now); // a replayed stream record
    await outbox.endWaiting('c-1#survey#o-1', 'expired', 'gave way to c-1#birthday#2027', now, { provisional: true });
    await outbox.endWaiting('c-1#survey#o-1', 'expired', 'gave way to c-1#birthday#2027', now); // past its deadline: ended for good
    await outbox.endWaiting('c-1#keepInTouch#2027-04-01', 'cancelled', 'a message on 2027-03-01 met the floor it was for', now);
    await outbox.endWaiting('c-2#keepInTouch#taken', 'cancelled', 'a message met the floor it was for', now);
    writeMessages(runtime, ended);

    // Assess
    expect(shown(written())).toEqual([
      '{outcome=cancelled} Messages=2',
      '{outcome=expired} Messages=1',
      '{campaign=renewal,outcome=cancelled} Messages=1',
      '{campaign=survey,outcome=expired} Messages=1',
      '{campaign=keepInTouch,outcome=cancelled} Messages=1',
    ]);
  });
});
