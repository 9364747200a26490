import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { readTextFile } from './text-file.js';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { brandLeftAsShipped, ConfigError, defaultConfig, parseConfig, type RetentionConfig } from '../core/config.js';
import { isValidLocalDate } from '../core/calendar.js';
import { bandNarrowed, reachOf } from '../core/cadence.js';
import { importNdjson } from '../core/jobs/import-records.js';
import { canonicalId, describeLine, isPlainObject } from '../core/records.js';
import { maskEmailsIn } from '../core/mask.js';
import { documentClientFor } from '../adapters/runtime.js';
import { DynamoErasureStore } from '../adapters/dynamo-erasure.js';
import { DynamoCustomerStore } from '../adapters/dynamo-customers.js';
import { DynamoConfigStore } from '../adapters/dynamo-config.js';
import type { TableNames } from '../adapters/tables.js';
import { withSettings } from '../core/config-path.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteItemCommand, DeleteTableCommand, DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { tableDefinitions } from '../adapters/tables.js';
import { isUnknownCustomer, readCustomerStory } from '../adapters/customer-story.js';
import { formatExplain } from './explain.js';
import { cloudFormationClient, describeStackOutputs, readOutputsFile, StackOutputsError, stackNamesOf, tableNamesFromOutputs, type CloudFormationLike } from './stack-outputs.js';
import { createTables, dynamoDbClient, startDynamoDbLocal, startLocalStack, type LocalStack, type RunningService } from '../local/local-stack.js';
import { simulate, type LocalSystem, type SimulationOptions, type SimulationResult } from '../local/simulation.js';
import { formatDemoGuide, formatSummary, shownPath } from './summary.js';
import { configDiffFigures, formatConfigDiff } from './config-diff.js';
import { formatPreview, seedStoredState } from './preview.js';
import { renderHtmlReport } from '../local/html-report.js';
import { checkBand } from '../local/band-check.js';
import { serveLinks, type LinksHandler } from '../local/link-server.js';
import { localLinkSecret } from '../adapters/link-secret.js';
import type { LinkSigning } from '../core/links.js';
import { createServer } from 'node:http';
import { registerTemplateCommands, type TableCommandParts } from './templates.js';
import { applyImportedErasures, isDeployed, registerCustomerCommands } from './customer.js';
import { registerSuppressionCommands } from './suppression.js';
import { UsageError } from './usage-error.js';
import { parseResponseModel } from '../core/measurement/response-model.js';
import type { ResponseModelRun } from '../local/synthetic-outcomes.js';
import { registerLiftCommand } from './lift.js';
import { parseSampleSize } from '../core/sample.js';
import { asSampleOfCohort, formatSampleSection, sampleToRun } from './sample-run.js';

/** Serves one file on loopback (the HTML report), on the given port or a free one. */
const serveFile = async (path: string, port: number): Promise<{ url: string; stop: () => Promise<void> }> => {
  const server = createServer((_, response) => {
    readFile(path)
      .then((body) => response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body))
      .catch(() => response.writeHead(404).end());
  });
  await new Promise<void>((ready) => {
    server.once('error', () => server.listen(0, '127.0.0.1', ready)); // the port is taken: any free one
    server.listen(port, '127.0.0.1', ready);
  });
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}/`,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
};

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Where `import` keeps its local DynamoDB data between commands (not tracked by git). */
const LOCAL_DATA_DIR = resolve(repoRoot, '.retention/dynamodb');
const LOCAL_TABLE_PREFIX = 'retention-';

const parseDate = (value: string): string => {
  if (!isValidLocalDate(value)) throw new InvalidArgumentError(`'${value}' is not a date (YYYY-MM-DD)`);
  return value;
};
const parseDays = (value: string): number => {
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > 3660) throw new InvalidArgumentError(`'${value}' is not a whole number of days from 1 to 3660`);
  return days;
};

/** The configuration with the brand of a JSON file (`start`'s sample business), validated like any other. */
const withBrandOf = async (config: RetentionConfig, path: string | undefined): Promise<RetentionConfig> => {
  if (!path) return config;
  try {
    return parseConfig({ ...config, brand: JSON.parse(await readTextFile(path)) });
  } catch (error) {
    throw new UsageError(`cannot use the brand ${path}: ${(error as Error).message}`);
  }
};

const loadConfig = async (path: string | undefined): Promise<RetentionConfig> => {
  if (!path) return defaultConfig;
  let document: unknown;
  try {
    document = JSON.parse(await readTextFile(path));
  } catch (error) {
    throw new UsageError(`cannot read the configuration ${path}: ${(error as Error).message}`);
  }
  return parseConfig(document);
};

/** A synthetic response model file (docs/response-model.md), validated; refused with the file, field and value. */
const loadResponseModel = async (path: string, seed: number): Promise<ResponseModelRun> => {
  let document: unknown;
  try {
    document = JSON.parse(await readTextFile(path));
  } catch (error) {
    throw new UsageError(`cannot read the response model ${path}: ${(error as Error).message}`);
  }
  try {
    // Named as given, or relative to here when it lies below (the demo's default is absolute).
    return { model: parseResponseModel(document), seed, file: shownPath(path) };
  } catch (error) {
    throw new UsageError(`cannot use the response model ${path}: ${(error as Error).message}`);
  }
};
/** `--sample <n>`: a whole number of customers ≥ 2 (a sample larger than the cohort runs it whole). */
const parseSample = (value: string): number => {
  try {
    return parseSampleSize(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};
const SAMPLE_HELP = 'simulate a stable random sample of n customers (all their records) and scale every figure to the whole cohort with its 95 % interval (docs/cli.md)';
const parseSeed = (value: string): number => {
  const seed = Number(value);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new InvalidArgumentError(`'${value}' is not a whole number ≥ 0`);
  return seed;
};

const readData = async (path: string): Promise<string> => {
  try {
    return await readTextFile(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
};

/** Stops the local stack on Ctrl-C or termination too, so no Java process outlives the command. */
const withStack = async <T, S extends { stop(): Promise<void> }>(stack: S, work: (stack: S) => Promise<T>): Promise<T> => {
  const onSignal = (signal: NodeJS.Signals) => {
    void stack.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await work(stack);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await stack.stop();
  }
};

interface DatabaseOptions {
  dynamodbEndpoint?: string;
  tablePrefix?: string;
  /** A deployed stack: the file `cdk deploy --outputs-file` wrote. */
  outputs?: string;
  /** A deployed stack: `<prefix>Data` and `<prefix>Compute`, read with DescribeStacks. */
  stack?: string;
  region?: string;
  profile?: string;
}

/** What the CLI reaches outside itself; tests hand in a mocked CloudFormation. */
export interface CliDependencies {
  readonly cloudFormation?: (options: { region?: string; profile?: string }) => CloudFormationLike;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

/** On stderr, what of the brand a business's e-mails would still show as shipped (config.ts `brandLeftAsShipped`), and how to set it. */
const warnOfShippedBrand = (config: RetentionConfig) => {
  const lines = brandLeftAsShipped(config);
  if (lines.length === 0) return;
  say('Warning: the brand is not set (docs/configuration.md):');
  for (const line of lines) say(`  ${line}`);
  say(`  set it before marketing goes out: npx retention config set brand.name='"Your Business"' brand.senderName='"Your Business"' brand.postalAddress='"1 Main St, Springfield"' (with this command's --stack or --outputs)`);
};

/**
 * A DynamoDB to work on. With `--outputs` or `--stack`: the deployed stack's tables, named by its
 * outputs (nothing is created; `--dynamodb-endpoint` reaches them elsewhere, e.g. DynamoDB Local in
 * tests). Without: the local stack, DynamoDB Local on .retention/ (kept between commands; `npm start`
 * leaves its demo there) or the given endpoint, with our tables. Either way one line on stderr says which.
 */
const withDatabase = async <T>(
  options: DatabaseOptions,
  work: (db: DynamoDBDocumentClient, tables: TableNames) => Promise<T>,
  dependencies: CliDependencies = {},
): Promise<T> => {
  if (options.outputs !== undefined && options.stack !== undefined) throw new UsageError('give --outputs or --stack, not both');
  if (options.outputs !== undefined || options.stack !== undefined) {
    if (options.tablePrefix !== undefined) throw new UsageError('--table-prefix is for the local stack; a deployed stack names its tables in its outputs');
    const source = options.outputs !== undefined ? options.outputs : `the stacks ${stackNamesOf(options.stack!).join(' and ')}`;
    const outputs =
      options.outputs !== undefined
        ? await readOutputsFile(options.outputs)
        : await describeStackOutputs((dependencies.cloudFormation ?? cloudFormationClient)({ region: options.region, profile: options.profile }), options.stack!);
    const tables = tableNamesFromOutputs(outputs, source);
    const client =
      options.dynamodbEndpoint && !options.profile
        ? dynamoDbClient(options.dynamodbEndpoint)
        : new DynamoDBClient({ ...(options.region ? { region: options.region } : {}), ...(options.profile ? { profile: options.profile } : {}), ...(options.dynamodbEndpoint ? { endpoint: options.dynamodbEndpoint } : {}) });
    say(`retention: working on the deployed stack of ${source}: tables ${Object.values(tables).join(', ')}${options.dynamodbEndpoint ? ` at ${options.dynamodbEndpoint}` : ''}`);
    try {
      return await work(documentClientFor(client), tables);
    } finally {
      client.destroy();
    }
  }
  const tablePrefix = options.tablePrefix ?? LOCAL_TABLE_PREFIX;
  say(`retention: working on the local stack (no --stack or --outputs): ${options.dynamodbEndpoint ? `DynamoDB at ${options.dynamodbEndpoint}` : `DynamoDB Local on ${LOCAL_DATA_DIR}`}, tables ${tablePrefix}*`);
  const database: RunningService = options.dynamodbEndpoint
    ? { endpoint: options.dynamodbEndpoint, stop: async () => undefined }
    : await startDynamoDbLocal({ dbPath: LOCAL_DATA_DIR });
  return withStack(database, async () => {
    const dynamo = dynamoDbClient(database.endpoint);
    return work(documentClientFor(dynamo), await createTables(dynamo, tablePrefix));
  });
};

/** The options that say where a command works: a deployed stack, or the local one. */
const targetOptions = (command: Command): Command =>
  command
    .option('--stack <prefix>', 'work on a deployed stack: table names from the outputs of <prefix>Data and <prefix>Compute (CloudFormation DescribeStacks; as shipped: Retention)')
    .option('--outputs <file>', 'work on a deployed stack: table names from the file `cdk deploy --outputs-file` wrote')
    .option('--region <region>', 'AWS region of the deployed stack (default: the SDK\'s, from AWS_REGION or the profile)')
    .option('--profile <name>', 'AWS profile to use for the deployed stack')
    .option('--dynamodb-endpoint <url>', 'a running DynamoDB (local stack: instead of DynamoDB Local on .retention/dynamodb; deployed stack: where its tables are, e.g. DynamoDB Local in tests)')
    .option('--table-prefix <prefix>', `local stack only: table name prefix (default ${LOCAL_TABLE_PREFIX})`);

/**
 * Makes what a simulation ran the local stack: its tables, copied from the simulation's DynamoDB
 * (in memory, twice as fast as on disk) into DynamoDB Local on .retention/ as `retention-*`,
 * replacing what was there. So `explain`, `preview` and `config` see the demo `npm start` just ran.
 */
const keepAsLocalStack = async (from: { endpoint: string; tables: TableNames }): Promise<TableNames> => {
  const disk = await startDynamoDbLocal({ dbPath: LOCAL_DATA_DIR });
  try {
    const source = dynamoDbClient(from.endpoint);
    const target = dynamoDbClient(disk.endpoint);
    for (const table of tableDefinitions) {
      await target.send(new DeleteTableCommand({ TableName: `${LOCAL_TABLE_PREFIX}${table.logicalName}` })).catch((error: Error) => {
        if (error.name !== 'ResourceNotFoundException') throw error;
      });
    }
    const tables = await createTables(target, LOCAL_TABLE_PREFIX);
    for (const table of tableDefinitions) {
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await source.send(new ScanCommand({ TableName: from.tables[table.logicalName], ExclusiveStartKey: start }));
        const items = page.Items ?? [];
        for (let i = 0; i < items.length; i += 25) {
          let requests: Record<string, { PutRequest: { Item: Record<string, AttributeValue> } }[]> | undefined = {
            [tables[table.logicalName]]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
          };
          while (requests && Object.keys(requests).length > 0) {
            const { UnprocessedItems } = await target.send(new BatchWriteItemCommand({ RequestItems: requests }));
            requests = UnprocessedItems as typeof requests;
          }
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }
    return tables;
  } finally {
    await disk.stop();
  }
};

interface SimulateOptions {
  data: string;
  start: string;
  days: number;
  config?: string;
  /** A JSON file with the configuration's `brand` (start: the demo's sample business). */
  brand?: string;
  out?: string;
  html?: string;
  dynamodbEndpoint?: string;
  sesEndpoint?: string;
  /** A synthetic response model file (`false`: none, from `start --no-response-model`). */
  responseModel?: string | false;
  seed: number;
  /** start: measurement.holdoutPercent for the demo. */
  holdoutPercent?: number;
  /** simulate: a stable random sample of this many customers (core/sample.ts). */
  sample?: number;
}

/** A simulation on a running local stack, in tables of its own (so several can share one DynamoDB Local). */
const simulateOn = (
  stack: Pick<LocalStack, 'dynamodbEndpoint' | 'sesEndpoint'>,
  label: string,
  run: { data: string; start: string; days: number; config: RetentionConfig; onDay?: (day: number, of: number) => void; links?: LinkSigning; responseModel?: ResponseModelRun; seed?: SimulationOptions['seed'] },
) =>
  simulate({
    ...run,
    start: new Date(`${run.start}T00:00:00.000Z`),
    dynamodbEndpoint: stack.dynamodbEndpoint,
    sesEndpoint: stack.sesEndpoint,
    tablePrefix: `${label}-${Date.now().toString(36)}-`,
  });

const runSimulation = async (options: SimulateOptions, stack: LocalStack, log: (line: string) => void, links?: LinkSigning): Promise<SimulationResult> => {
  const loaded = await withBrandOf(await loadConfig(options.config), options.brand);
  const config = options.holdoutPercent === undefined ? loaded : parseConfig({ ...loaded, measurement: { ...loaded.measurement, holdoutPercent: options.holdoutPercent } });
  const responseModel = options.responseModel ? await loadResponseModel(options.responseModel, options.seed) : undefined;
  const whole = await readData(options.data);
  const sample = sampleToRun(whole, options.sample, log);
  const data = sample?.text ?? whole;
  const started = performance.now();
  let lastShown = -1;
  const simulated = await simulateOn(stack, 'sim', {
    data,
    start: options.start,
    days: options.days,
    config,
    links,
    responseModel,
    onDay: (day, of) => {
      const shown = Math.floor((day / of) * 10);
      if (process.stderr.isTTY && shown !== lastShown) process.stderr.write(`\rsimulating… ${Math.round((day / of) * 100)}%`);
      lastShown = shown;
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const result = sample ? asSampleOfCohort(simulated, sample) : simulated;
  if (sample) log(`The sample's own figures (${sample.size} of ${sample.population} customers):`);
  log(formatSummary(result, (performance.now() - started) / 1000));
  if (result.report.sample) log(formatSampleSection(result.report.sample));
  if (options.out) {
    await mkdir(dirname(resolve(options.out)), { recursive: true });
    await writeFile(options.out, `${JSON.stringify(result.report, null, 2)}\n`);
    log(`Report written to ${options.out}`);
  }
  if (options.html) {
    await mkdir(dirname(resolve(options.html)), { recursive: true });
    await writeFile(options.html, renderHtmlReport(result.report, checkBand(result.report, result.report.config, result.floorSubjects)));
    log(`HTML report written to ${options.html}`);
  }
  return result;
};

export const buildProgram = (log: (line: string) => void = console.log, dependencies: CliDependencies = {}): Command => {
  const program = new Command('retention')
    .description('Retention automation: the right e-mail at the right moment, never too often.')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  targetOptions(
    program
      .command('import')
      .description('validate NDJSON records and write them (locally: to a DynamoDB Local kept in .retention/)')
      .argument('<file>', 'NDJSON file, one record a line'),
  ).action(async (file: string, options: DatabaseOptions) => {
      const text = await readData(file);
      const { result, consentDefault, erased, config } = await withDatabase(options, async (db, tables) => {
        const config = await new DynamoConfigStore(db, tables.Control).get();
        // The configuration in force says what a customer without marketingOptIn gets; it is stored with them.
        const consentDefault = config.consent.defaultMarketingOptIn;
        const now = new Date();
        // Outside the simulator `at` is ignored: a record carrying it is written now, as any other.
        const result = await importNdjson(new DynamoCustomerStore(db, tables.Customers), text, now, { defaultMarketingOptIn: consentDefault, erasures: new DynamoErasureStore(db, tables), ignoreAt: true });
        // In AWS the customer stream applies the erasures; the local stack runs none.
        const erased = isDeployed(options) ? [] : await applyImportedErasures(db, tables, result.records, now);
        return { result, consentDefault, erased, config };
      }, dependencies);
      const byType = Object.entries(result.byType).map(([type, n]) => `${n} ${type}`).join(', ');
      const warned = result.warnings.length ? `; ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}` : '';
      log(`Imported ${result.imported} records${byType ? ` (${byType})` : ''}; rejected ${result.rejected.length}${warned}${result.atIgnored ? `; ${result.atIgnored} line${result.atIgnored === 1 ? '' : 's'} carried "at", ignored: only simulate applies a record at its time, import writes it now` : ''}`);
      for (const reject of result.rejected) log(`  ${describeLine(reject)}`);
      if (result.warnings.length) log('Imported, with a warning:');
      for (const warning of result.warnings) log(`  ${describeLine(warning)}`);
      if (erased.length) log('Erasures applied on the local stack (no customer stream runs here; in AWS it applies them):');
      for (const said of erased) log(`  ${said}`);
      if (result.consentDefaulted > 0) {
        log(`${result.consentDefaulted} customer${result.consentDefaulted === 1 ? '' : 's'} without marketingOptIn stored with ${consentDefault} (consent.defaultMarketingOptIn)${consentDefault ? '' : ': no marketing to them until a record says true'}`);
      }
      if (result.imported > 0) warnOfShippedBrand(config);
      process.exitCode = result.rejected.length > 0 ? 1 : 0;
    });

  const config = program.command('config').description('the runtime configuration: stored in DynamoDB, read by every handler within a minute, no redeploy');
  targetOptions(config.command('get').description('print the configuration in force')).action(async (options: DatabaseOptions) => {
      // Settings a newer version stored are not shown (this version cannot say what they do), but they are named.
      const unknown = (settings: readonly string[]) => console.error(`retention: the stored configuration also has settings this version does not know (a newer one stored them), not shown: ${settings.join(', ')}`);
      const current = await withDatabase(options, (db, tables) => new DynamoConfigStore(db, tables.Control, unknown).get(), dependencies);
      log(JSON.stringify(current, null, 2));
      warnOfShippedBrand(current);
    });
  targetOptions(
    config
      .command('set')
      .description('change settings, e.g. cadence.minDaysBetween=10; several are changed together and validated as a whole; an invalid or impossible result is refused and nothing changes')
      .argument('<assignment...>', '<path>=<value> (the value is JSON, or a bare word)'),
  ).action(async (assignments: string[], options: DatabaseOptions) => {
      const { changes, config: changed } = await withDatabase(options, async (db, tables) => {
        const refusedUnlessValid = (stored: unknown) => {
          try {
            return withSettings(stored, assignments);
          } catch (error) {
            throw new UsageError(`config set refused, nothing changed: ${(error as Error).message}`);
          }
        };
        return new DynamoConfigStore(db, tables.Control).update(refusedUnlessValid, new Date());
      }, dependencies);
      changes.forEach((change, i) => {
        const last = i === changes.length - 1 ? ' (handlers pick it up within a minute)' : '';
        log(`${change.path}: ${change.from === undefined ? '(not set)' : JSON.stringify(change.from)} → ${JSON.stringify(change.to)}${last}`);
      });
      // The floor checks already stored follow the old band until the planner brings them forward (cadence.md, "Changing the band").
      const was = (setting: 'maxDaysBetween' | 'minDaysBetween') => {
        const from = changes.find((change) => change.path === `cadence.${setting}`)?.from;
        return typeof from === 'number' ? from : changed.cadence[setting];
      };
      if (bandNarrowed(reachOf({ maxDaysBetween: was('maxDaysBetween'), minDaysBetween: was('minDaysBetween') }), changed.cadence)) {
        log("The cadence band is narrower: from its next daily run the planner brings forward every customer's floor check set under the old band, and plans at once for those the new floor already wants (docs/cadence.md, \"Changing the band\").");
      }
      warnOfShippedBrand(changed);
    });

  targetOptions(
    config
      .command('diff')
    .description('simulate a cohort under the current and the proposed configuration and print what changes; applies nothing')
    .requiredOption('--data <file>', 'NDJSON records of the cohort')
    .option('--set <assignment>', 'a proposed change <path>=<value> (repeat for several)', (value: string, all: string[]) => [...all, value], [] as string[])
    .option('--config <file>', 'a whole proposed configuration instead of --set')
    .option('--start <date>', 'first simulated day', parseDate, new Date().toISOString().slice(0, 10))
    .option('--days <n>', 'how many days to simulate', parseDays, 90)
    .option('--sample <n>', SAMPLE_HELP, parseSample)
    .option('--json <file>', 'also write the figures (and, on a sample, their intervals) as JSON here'),
  ).action(async (options: DatabaseOptions & { data: string; set: string[]; config?: string; start: string; days: number; sample?: number; json?: string }) => {
      const current = await withDatabase(options, (db, tables) => new DynamoConfigStore(db, tables.Control).get(), dependencies);
      let proposed = options.config ? await loadConfig(options.config) : current;
      try {
        // Validated once, as a whole: a valid combination is not refused for the order of its --set.
        if (options.set.length > 0) proposed = withSettings(proposed, options.set).config;
      } catch (error) {
        throw new UsageError(`config diff: ${(error as Error).message}`);
      }
      const whole = await readData(options.data);
      const sample = sampleToRun(whole, options.sample, say);
      const data = sample?.text ?? whole;
      const stack = await startLocalStack({ dynamodbEndpoint: options.dynamodbEndpoint });
      // Both configurations at once, each in tables of its own: DynamoDB Local works while the runner waits.
      const [before, after] = await withStack(stack, async (running) => {
        const run = (config: RetentionConfig, label: string) => simulateOn(running, `diff-${label}`, { data, start: options.start, days: options.days, config });
        return Promise.all([run(current, 'current'), run(proposed, 'proposed')]);
      });
      const sides = [{ config: current, result: before }, { config: proposed, result: after }] as const;
      log(formatConfigDiff(...sides, sample));
      if (options.json) {
        await mkdir(dirname(resolve(options.json)), { recursive: true });
        await writeFile(options.json, `${JSON.stringify(configDiffFigures(...sides, sample), null, 2)}\n`);
      }
    });

  targetOptions(
    program
      .command('preview')
    .description('what this customer will receive next, when, and why (or why not): their records run forward through the real handlers')
    .argument('<customerId>')
    .option('--days <n>', 'how far ahead', parseDays, 30)
    .option('--start <date>', 'from (default: today, UTC)', parseDate, new Date().toISOString().slice(0, 10))
    .option('--data <file>', 'take the customer\'s records from this NDJSON instead of the database'),
  ).action(async (customerId: string, options: DatabaseOptions & { days: number; start: string; data?: string }) => {
      // From the database, the customer's records and what the stack holds of them beyond (seedStoredState).
      const [config, state] = await withDatabase(options, async (db, tables) => [
        await new DynamoConfigStore(db, tables.Control).get(),
        options.data ? undefined : await readCustomerStory(db, tables, customerId),
      ] as const, dependencies);
      const records = (state ? state.records : linesOfCustomer(await readData(options.data!), customerId)).map((r) =>
        // Consent as it stands: a line without it would be imported with the configured default; a stored profile without it has none.
        r.type === 'customer' && r.marketingOptIn === undefined ? { ...r, marketingOptIn: options.data ? config.consent.defaultMarketingOptIn : false } : r,
      );
      const profile = records.filter((r) => r.type === 'customer' && r.at === undefined).pop();
      if (!profile) {
        // As `explain` answers for an id nobody has: a mistyped id is not a customer with nothing coming.
        log(maskEmailsIn(`No customer ${customerId} on record.`));
        process.exitCode = 1;
        return;
      }
      const stack = await startLocalStack({ dynamodbEndpoint: options.dynamodbEndpoint });
      const data = records.map((r) => JSON.stringify(r)).join('\n');
      const seed = state && ((system: LocalSystem) => seedStoredState(system, state));
      const result = await withStack(stack, (running) => simulateOn(running, 'preview', { data, start: options.start, days: options.days, config, seed }));
      log(formatPreview(customerId, profile, result, state));
    });

  targetOptions(
    program
      .command('explain')
      .description('everything about one customer\'s contact: messages sent, waiting and ended with state and reason; the ledger; consent, preferences, suppression (reads only)')
      .argument('<customerId>'),
  ).action(async (customerId: string, options: DatabaseOptions) => {
    const story = await withDatabase(options, (db, tables) => readCustomerStory(db, tables, customerId), dependencies);
    log(formatExplain(story));
    process.exitCode = isUnknownCustomer(story) ? 1 : 0;
  });

  program
    .command('simulate')
    .description('run the real handlers on DynamoDB Local and the SES emulator with a virtual clock')
    .requiredOption('--data <file>', 'NDJSON records')
    .requiredOption('--start <date>', 'first simulated day (YYYY-MM-DD, from 00:00 UTC)', parseDate)
    .requiredOption('--days <n>', 'how many days to simulate', parseDays)
    .option('--config <file>', 'configuration JSON (default: config/defaults.json)')
    .option('--out <file>', 'write the JSON report here')
    .option('--html <file>', 'write the HTML report here')
    .option('--dynamodb-endpoint <url>', 'use a running DynamoDB instead of starting DynamoDB Local')
    .option('--ses-endpoint <url>', 'use a running SES emulator instead of starting one')
    .option('--response-model <file>', 'a SYNTHETIC response model (docs/response-model.md): writes the renewals, purchases and complaints it decides, labelled synthetic')
    .option('--seed <n>', 'the response model\'s seed', parseSeed, 1)
    .option('--sample <n>', SAMPLE_HELP, parseSample)
    .action(async (options: SimulateOptions) => {
      await loadConfig(options.config); // refuse a bad configuration before starting anything
      if (options.responseModel) await loadResponseModel(options.responseModel, options.seed); // and a bad response model
      const stack = await startLocalStack({ dynamodbEndpoint: options.dynamodbEndpoint, sesEndpoint: options.sesEndpoint });
      await withStack(stack, (running) => runSimulation(options, running, log));
    });

  program
    .command('start')
    .description('the demo: local stack, demo data, a 90-day simulation, a summary, and the inbox served until Ctrl-C')
    .option('--data <file>', 'NDJSON records', resolve(repoRoot, 'data/demo.ndjson'))
    // The demo data is dated around 1 January 2027, so that is where the demo starts unless told otherwise.
    .option('--start <date>', 'first simulated day', parseDate, '2027-01-01')
    .option('--days <n>', 'how many days to simulate', parseDays, 90)
    .option('--out <file>', 'write the JSON report here', resolve(repoRoot, 'reports/demo-report.json'))
    .option('--html <file>', 'write the HTML report here', resolve(repoRoot, 'reports/demo-report.html'))
    .option('--brand <file>', 'the business the e-mails and pages are of (configuration `brand`, as JSON)', resolve(repoRoot, 'data/demo-brand.json'))
    .option('--response-model <file>', 'the SYNTHETIC response model the demo\'s outcomes come from (docs/response-model.md)', resolve(repoRoot, 'data/demo-response-model.json'))
    .option('--no-response-model', 'no synthetic outcomes: only the demo data\'s own records')
    .option('--seed <n>', 'the response model\'s seed', parseSeed, 1)
    .option('--holdout-percent <n>', 'measurement.holdoutPercent for the demo', (v) => Number(v), 10)
    .option('--ses-port <port>', 'port of the SES emulator and its inbox', (v) => Number(v), 8005)
    .option('--no-serve', 'exit after the summary instead of serving the inbox')
    .action(async (options: SimulateOptions & { serve: boolean; sesPort: number }) => {
      const start = options.start;
      const stack = await startLocalStack({ sesPort: options.sesPort }).catch(() => startLocalStack());
      const keep = async (result: SimulationResult) => {
        await keepAsLocalStack({ endpoint: stack.dynamodbEndpoint, tables: result.tables });
        const localStack = `DynamoDB Local on ${LOCAL_DATA_DIR}, tables ${LOCAL_TABLE_PREFIX}*`;
        log(formatDemoGuide(result, { localStack, dataPath: options.data, data: await readData(options.data), shippedDemo: resolve(options.data) === resolve(repoRoot, 'data/demo.ndjson'), reportPath: options.out }));
      };
      if (!options.serve) {
        await withStack(stack, async (running) => keep(await runSimulation({ ...options, start }, running, log)));
        return;
      }
      // The e-mails' survey links point at this server, which answers through the simulated system's link handler.
      let handleLink: SimulationResult['handleLink'] | undefined;
      const answer: LinksHandler = (event) => (handleLink ? handleLink(event) : Promise.reject(new Error('the simulation is still running')));
      const linkServer = await serveLinks(answer, options.sesPort + 2).catch(() => serveLinks(answer, 0)); // taken: any free port
      try {
        const result = await runSimulation({ ...options, start }, stack, log, { baseUrl: linkServer.url, secret: localLinkSecret(resolve(repoRoot, '.retention/link-secret')) });
        ({ handleLink } = result);
        await keep(result);
      } catch (error) {
        await Promise.all([stack.stop(), linkServer.close()]);
        throw error;
      }
      const reportServer = await serveFile(options.html!, options.sesPort + 1);
      log(`\nThe SES emulator's inbox: ${stack.sesEndpoint}/  (every e-mail sent; JSON at ${stack.sesEndpoint}/store)`);
      log(`The HTML report:          ${reportServer.url}`);
      log(`Survey answer links:      ${linkServer.url}/survey?t=…  (clicked on the simulation's last day)`);
      log('Press Ctrl-C to stop.');
      await new Promise<void>((done) => {
        const stop = () => void Promise.all([stack.stop(), reportServer.stop(), linkServer.close()]).finally(done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  const onTables: TableCommandParts = { targetOptions, withDatabase: (options, work) => withDatabase(options, work, dependencies), log };
  registerTemplateCommands(program, { ...onTables, serveFile, reportsDir: resolve(repoRoot, 'reports') });
  registerCustomerCommands(program, onTables);
  registerSuppressionCommands(program, onTables);
  registerLiftCommand(program, onTables);

  return program;
};

/**
 * A customer's lines of an NDJSON file, as objects, found by their id as the import keeps it (` c-1 ` is
 * `c-1`); a line that is not a JSON object is left out, as `import` leaves it out (and says why).
 */
const linesOfCustomer = (text: string, customerId: string): Record<string, unknown>[] =>
  text
    .split(/\r?\n/)
    .filter((line) => line.includes(canonicalId(customerId)))
    .flatMap((line) => {
      try {
        const value: unknown = JSON.parse(line);
        return isPlainObject(value) && typeof value.customerId === 'string' && canonicalId(value.customerId) === canonicalId(customerId) ? [value] : [];
      } catch {
        return [];
      }
    });

/** Runs the CLI; resolves to the exit code. */
export const main = async (argv: readonly string[]): Promise<number> => {
  process.exitCode = 0;
  try {
    await buildProgram().parseAsync(argv as string[]);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof ConfigError || error instanceof UsageError || error instanceof StackOutputsError) {
      console.error(`retention: ${error.message}`);
      return 2;
    }
    console.error(`retention: ${(error as Error).stack ?? error}`);
    return 1;
  }
};
