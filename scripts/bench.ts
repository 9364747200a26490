/**
 * The benchmark (`npm run bench -- --customers N [--json] [--day YYYY-MM-DD]`): what one message costs
 * against the physical floor (one conditional write and one SES call), on DynamoDB Local and the SES
 * emulator through the real handlers.
 *
 * 1. Seeds N customers (scripts/demo-data.ts: birthdays over the year, contracts, complaints,
 *    interactions) and their contact ledgers (last contact spread over the floor's window).
 * 2. Warms up: the whole system (the planner each day, the dispatcher's runs) for the `--warm-up-days`
 *    before the day (7: a keep-in-touch is planned up to 7 days before it goes), so the day is a steady
 *    one: it sends what earlier days planned and plans for later ones about as much. With
 *    `--warm-up-days 1` the day sends a fifth of what it plans (its keep-in-touch were to be planned
 *    on days that never ran).
 * 3. Measures one day: the planner's run (the date entering its horizon, the floor checks due) and
 *    every dispatcher tick at which something is due.
 * 4. The floor loop: the same number of messages, each one conditional write and one SendEmail, at the
 *    dispatcher's concurrency, on the same stack.
 * 5. The scan baseline: the same day's birthdays found by scanning every customer.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { BatchWriteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { generateCohort } from './demo-data.js';
import { documentClientFor } from '../functions/adapters/runtime.js';
import { DynamoCustomerStore } from '../functions/adapters/dynamo-customers.js';
import { floorCheckKey } from '../functions/adapters/dynamo-ledger.js';
import { deployedDueShards } from '../functions/adapters/deploy-settings.js';
import { addDays, birthdayMonthDaysCelebratedOn, localDateOf } from '../functions/core/calendar.js';
import { floorOf, NEVER } from '../functions/core/cadence.js';
import { defaultConfig } from '../functions/core/config.js';
import { parseNdjson, type Customer } from '../functions/core/records.js';
import { addStats, emptyStats, type DynamoStats } from '../functions/local/dynamo-stats.js';
import { createTables, dynamoDbClient, sesClient, startDynamoDbLocal, startSesEmulator } from '../functions/local/local-stack.js';
import { readAllMessages } from '../functions/local/report.js';
import { LocalSystem, nextRateFire, VirtualClock } from '../functions/local/simulation.js';

process.env.RETENTION_LOG_LEVEL ??= 'SILENT';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '10000' },
    day: { type: 'string', default: '2027-06-15' },
    'warm-up-days': { type: 'string', default: '7' },
    json: { type: 'boolean', default: false },
  },
});
const customers = Number(values.customers);
const day = values.day!;
const warmUpDays = Number(values['warm-up-days']);
if (!Number.isInteger(warmUpDays) || warmUpDays < 1) throw new Error(`--warm-up-days must be a whole number of at least 1, got '${values['warm-up-days']}'`);
const firstDay = addDays(day, -warmUpDays);
if (!Number.isInteger(customers) || customers < 1) throw new Error(`--customers must be a positive integer, got '${values.customers}'`);
const say = (line: string) => {
  if (!values.json) console.error(line);
};

const seconds = (from: number) => (performance.now() - from) / 1000;
const snapshot = (stats: DynamoStats): DynamoStats => ({ ...stats, byOperation: { ...stats.byOperation }, itemsReadByOperation: { ...stats.itemsReadByOperation } });
const minus = (after: DynamoStats, before: DynamoStats): DynamoStats => ({
  requests: after.requests - before.requests,
  itemsRead: after.itemsRead - before.itemsRead,
  readCapacity: after.readCapacity - before.readCapacity,
  writeCapacity: after.writeCapacity - before.writeCapacity,
  byOperation: Object.fromEntries(Object.entries(after.byOperation).map(([op, n]) => [op, n - (before.byOperation[op] ?? 0)]).filter(([, n]) => (n as number) > 0)),
  itemsReadByOperation: Object.fromEntries(Object.entries(after.itemsReadByOperation).map(([op, n]) => [op, n - (before.itemsReadByOperation[op] ?? 0)]).filter(([, n]) => (n as number) > 0)),
});

const dynamo = await startDynamoDbLocal();
const ses = await startSesEmulator();
try {
  const client = dynamoDbClient(dynamo.endpoint);
  const db = documentClientFor(client);
  const prefix = 'bench-';
  const tables = await createTables(client, prefix);

  // 1. Seed.
  let started = performance.now();
  const { records } = parseNdjson(generateCohort({ customers, seed: 7, startDate: day }).join('\n'), new Date(`${day}T00:00:00Z`));
  const untimed = records.filter((line) => line.at === undefined).map((line) => line.record);
  await new DynamoCustomerStore(db, tables.Customers).putRecords(untimed);
  const profiles = untimed.filter((record): record is Customer => record.type === 'customer');
  const ledger = profiles.map((customer, index) => {
    // Last contact 0–23 days before the warm-up's first day (the cap's 7 days before the floor's check), spread evenly.
    const today = localDateOf(new Date(`${firstDay}T12:00:00Z`), customer.timeZone);
    const lastContactDate = addDays(today, -(index % 24));
    return {
      customerId: customer.customerId,
      lastContactDate,
      lastCappedDate: NEVER,
      // As the system keeps them: only customers with marketing consent have a floor to check.
      ...(customer.marketingOptIn ? { floorCheckDate: floorCheckKey(floorOf(lastContactDate, defaultConfig.cadence).checkOn, customer.customerId, deployedDueShards) } : {}),
      // As the stream writes them when a profile changes.
      timeZone: customer.timeZone,
      marketingOptIn: customer.marketingOptIn,
    };
  });
  for (let i = 0; i < ledger.length; i += 25) {
    await db.send(new BatchWriteCommand({ RequestItems: { [tables.Ledger]: ledger.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  const seedSeconds = seconds(started);
  say(`seeded ${untimed.length} records (${profiles.length} customers) and ${ledger.length} ledgers in ${seedSeconds.toFixed(1)} s`);

  /** The dispatcher's runs from the clock's time to the end of `date`, whenever something is due: their time, count and outcomes. */
  const dispatchUntilEndOf = async (date: string) => {
    let runSeconds = 0;
    let runs = 0;
    const outcomesOfDay: Record<string, number> = {};
    const end = new Date(`${addDays(date, 1)}T00:00:00Z`);
    for (;;) {
      const due = await system.nextSendAfter();
      if (!due || due >= end) break;
      const tick = nextRateFire(due < clock.now() ? clock.now() : due, 1);
      if (tick >= end) break;
      clock.set(tick);
      const tickStarted = performance.now();
      const outcomes = (await system.runDispatcher()) as Record<string, number>;
      runs++;
      runSeconds += seconds(tickStarted);
      for (const [outcome, count] of Object.entries(outcomes)) if (count > 0) outcomesOfDay[outcome] = (outcomesOfDay[outcome] ?? 0) + count;
      const still = await system.nextSendAfter();
      if (still && still <= tick) clock.set(new Date(tick.getTime() + 60_000)); // capped for the run: next minute
    }
    return { runSeconds, runs, outcomesOfDay, end };
  };

  // 2. Warm up: the days before, as they would have run.
  const clock = new VirtualClock(new Date(`${firstDay}T00:00:00Z`));
  const system = await LocalSystem.create({ dynamodbEndpoint: dynamo.endpoint, sesEndpoint: ses.endpoint, tablePrefix: prefix, clock });
  await system.configStore.put(defaultConfig, clock.now());
  await system.skipStreamBacklog();
  started = performance.now();
  for (let date = firstDay; date < day; date = addDays(date, 1)) {
    clock.set(new Date(`${date}T00:00:00Z`));
    await system.runPlanner();
    await dispatchUntilEndOf(date);
  }
  say(`warm-up (${warmUpDays} days from ${firstDay}: the planner each day, the dispatcher's runs) in ${seconds(started).toFixed(1)} s`);

  // 3. The day.
  const plannedBefore = new Set((await readAllMessages(db, tables.Messages)).map((m) => m.messageId));
  const before = { planner: snapshot(system.stats.planner), coordinator: snapshot(system.stats.dispatchCoordinator), dispatcher: snapshot(system.stats.dispatcher) };
  clock.set(new Date(`${day}T00:00:00Z`));
  started = performance.now();
  const plannerRun = (await system.runPlanner()) as unknown;
  const plannerSeconds = seconds(started);
  const afterPlanner = await readAllMessages(db, tables.Messages);
  const planned = afterPlanner.filter((m) => !plannedBefore.has(m.messageId)).length;
  const plannerStats = minus(system.stats.planner, before.planner);
  const { runSeconds: dispatcherSeconds, runs: dispatcherTicks, outcomesOfDay: dispatchOutcomes, end } = await dispatchUntilEndOf(day);
  // A run: its coordinator (the erasures' second passes, the parts queued) and its senders.
  const dispatcherStats = minus(system.stats.dispatcher, before.dispatcher);
  const coordinatorStats = minus(system.stats.dispatchCoordinator, before.coordinator);
  addStats(dispatcherStats, coordinatorStats);
  const sent = (await readAllMessages(db, tables.Messages)).filter((m) => m.state === 'sent' && m.sentAt && m.sentAt < end.toISOString() && m.sentAt >= `${day}T00:00:00`).length;
  const wholeDay = emptyStats();
  addStats(wholeDay, plannerStats);
  addStats(wholeDay, dispatcherStats);

  // 4. The floor loop: one conditional write and one SendEmail per message, at the dispatcher's concurrency.
  const mail = sesClient(ses.endpoint);
  const concurrency = 8;
  started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < sent) {
        const i = next++;
        await db.send(new PutCommand({ TableName: tables.Control, Item: { key: `floor#${i}`, sentAt: day }, ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': 'key' } }));
        await mail.send(
          new SendEmailCommand({
            FromEmailAddress: 'hello@example.com',
            Destination: { ToAddresses: [`floor-${i}@example.com`] },
            Content: { Simple: { Subject: { Data: 'Floor' }, Body: { Text: { Data: 'One conditional write and one SES call.' }, Html: { Data: '<p>One conditional write and one SES call.</p>' } } } },
          }),
        );
      }
    }),
  );
  const floorSeconds = seconds(started);

  // 5. The scan baseline: the day's birthdays by reading every item of the Customers table.
  const celebrated = new Set(birthdayMonthDaysCelebratedOn(addDays(day, defaultConfig.planner.lookAheadDays), defaultConfig.campaigns.birthday.leapDayPolicy));
  let scanItemsRead = 0;
  let scanMatches = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: tables.Customers, ExclusiveStartKey }));
    scanItemsRead += page.ScannedCount ?? 0;
    scanMatches += (page.Items ?? []).filter((item) => item.recordKey === 'customer' && typeof item.birthday === 'string' && celebrated.has(String(item.birthday).slice(-5))).length;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);

  const e2eMessagesPerSecond = sent / (plannerSeconds + dispatcherSeconds);
  const floorMessagesPerSecond = sent / floorSeconds;
  const round = (n: number, digits = 2) => Number(n.toFixed(digits));
  const result = {
    customers,
    day,
    warmUpDays,
    planned,
    sent,
    e2eMessagesPerSecond: round(e2eMessagesPerSecond, 1),
    floorMessagesPerSecond: round(floorMessagesPerSecond, 1),
    e2eVsFloor: round(e2eMessagesPerSecond / floorMessagesPerSecond),
    plannerItemsReadPerPlanned: round(plannerStats.itemsRead / Math.max(planned, 1)),
    scanItemsReadPerPlanned: round(scanItemsRead / Math.max(planned, 1)),
    dynamoRequestsPerSent: round(wholeDay.requests / Math.max(sent, 1)),
    consumedRcuPerSent: round(wholeDay.readCapacity / Math.max(sent, 1)),
    consumedWcuPerSent: round(wholeDay.writeCapacity / Math.max(sent, 1)),
    plannerItemsRead: plannerStats.itemsRead,
    plannerItemsReadByOperation: plannerStats.itemsReadByOperation,
    // What the planner's run did: birthdays and renewals planned, floor checks (checked, keep-in-touch planned, held by another message).
    plannerRun,
    dispatchOutcomes,
    dispatcherTicks,
    plannerRequestsByOperation: plannerStats.byOperation,
    dispatcherRequestsByOperation: dispatcherStats.byOperation,
    // A day's planning is mostly for later days (the keep-in-touch planned today go out on theirs): per message planned.
    plannerWcuPerPlanned: round(plannerStats.writeCapacity / Math.max(planned, 1)),
    dispatcherWcuPerSent: round(dispatcherStats.writeCapacity / Math.max(sent, 1)),
    scanItemsRead,
    scanBirthdaysFound: scanMatches,
    plannerSeconds: round(plannerSeconds),
    dispatcherSeconds: round(dispatcherSeconds),
    floorSeconds: round(floorSeconds),
    seedSeconds: round(seedSeconds, 1),
  };
  console.log(values.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
} finally {
  await Promise.all([dynamo.stop(), ses.stop()]);
}
