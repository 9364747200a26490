/**
 * The floor planner's day (`npm run bench:floor -- --customers N [--latency-ms MS] [--json]`): N
 * customers whose floor check falls on one date, spread over the date's shards as a stack of
 * `dueShards` keeps them, and one planner run that has nothing else to do, through the real planner
 * handler on DynamoDB Local. It prints how long the run took and how many checks it made a second.
 *
 * DynamoDB Local answers in about a millisecond, on the machine's own CPU; DynamoDB answers in a few,
 * across a network. `--latency-ms` puts a proxy in front of DynamoDB Local (dynamo-fault-proxy.ts)
 * that holds each request that long before passing it on, so the figures show what waiting on round trips costs the run
 * (docs/scale.md, "The planner's run").
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { watermarkKey } from '../functions/adapters/dynamo-control.js';
import { floorCheckKey } from '../functions/adapters/dynamo-ledger.js';
import { deployedDueShards } from '../functions/adapters/deploy-settings.js';
import { documentClientFor } from '../functions/adapters/runtime.js';
import { NEVER } from '../functions/core/cadence.js';
import { addDays } from '../functions/core/calendar.js';
import { defaultConfig } from '../functions/core/config.js';
import { BIRTHDAY_PLANNER, birthdayPlanningSettings } from '../functions/core/jobs/plan-birthdays.js';
import { FLOOR_PLANNER } from '../functions/core/jobs/plan-floor.js';
import { RENEWAL_PLANNER, renewalPlanningSettings } from '../functions/core/jobs/plan-renewals.js';
import { startDynamoFaultProxy } from '../functions/local/dynamo-fault-proxy.js';
import { createTables, dynamoDbClient, startDynamoDbLocal, startSesEmulator } from '../functions/local/local-stack.js';
import { LocalSystem, VirtualClock } from '../functions/local/simulation.js';

process.env.RETENTION_LOG_LEVEL ??= 'SILENT';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '20000' },
    'latency-ms': { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  },
});
const customers = Number(values.customers);
const latencyMs = Number(values['latency-ms']);
if (!Number.isInteger(customers) || customers < 1) throw new Error(`--customers must be a positive integer, got '${values.customers}'`);
if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new Error(`--latency-ms must be a number of milliseconds, 0 or more, got '${values['latency-ms']}'`);

const day = '2027-06-10';
const dynamo = await startDynamoDbLocal();
const ses = await startSesEmulator();
const proxy = latencyMs > 0 ? await startDynamoFaultProxy({ target: dynamo.endpoint, delayMs: latencyMs }) : undefined;
try {
  // The seed goes straight to DynamoDB Local; the planner's requests through the proxy.
  const prefix = `floor${Date.now()}-`;
  const db = documentClientFor(dynamoDbClient(dynamo.endpoint));
  const tables = await createTables(dynamoDbClient(dynamo.endpoint), prefix);
  const ledgers = Array.from({ length: customers }, (_, i) => ({
    customerId: `floor-${i}`,
    lastContactDate: addDays(day, -(20 + (i % 5))),
    lastCappedDate: NEVER,
    floorCheckDate: floorCheckKey(day, `floor-${i}`, deployedDueShards),
    timeZone: i % 2 ? 'Europe/Bucharest' : 'America/Denver',
    marketingOptIn: true,
  }));
  for (let i = 0; i < ledgers.length; i += 25) {
    await db.send(new BatchWriteCommand({ RequestItems: { [tables.Ledger]: ledgers.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  // Birthdays and renewals planned through the horizon: the run has the floor alone to plan.
  const horizon = addDays(day, defaultConfig.planner.lookAheadDays);
  const watermarks = [
    { key: watermarkKey(BIRTHDAY_PLANNER), plannedThrough: horizon, plannedWith: birthdayPlanningSettings(defaultConfig) },
    { key: watermarkKey(RENEWAL_PLANNER), plannedThrough: horizon, plannedWith: renewalPlanningSettings(defaultConfig) },
    { key: watermarkKey(FLOOR_PLANNER), plannedThrough: addDays(day, -1) },
  ];
  for (const Item of watermarks) await db.send(new PutCommand({ TableName: tables.Control, Item }));

  const system = await LocalSystem.create({ dynamodbEndpoint: proxy?.url ?? dynamo.endpoint, sesEndpoint: ses.endpoint, tablePrefix: prefix, clock: new VirtualClock(new Date(`${day}T00:00:00Z`)), config: async () => defaultConfig });
  const started = performance.now();
  const run = (await system.runPlanner()) as { floor: { checked: number; planned: number } };
  const seconds = (performance.now() - started) / 1000;
  const result = {
    customers,
    dueShards: deployedDueShards,
    latencyMs,
    checked: run.floor.checked,
    keepInTouchPlanned: run.floor.planned,
    plannerSeconds: Number(seconds.toFixed(2)),
    checksPerSecond: Math.round(run.floor.checked / seconds),
    requests: system.stats.planner.requests,
  };
  console.log(values.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
} finally {
  await proxy?.close();
  await Promise.all([dynamo.stop(), ses.stop()]);
}
