import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { functionTimeoutSeconds } from '../core/function-timeouts.js';
import type { TableNames } from '../adapters/tables.js';

/**
 * Which AWS calls each function makes, as IAM sees them: recorded by SDK middleware on the clients a
 * local runtime builds, while that function's handler runs. The integration tests check every call
 * against the reviewed list in test/infra/aws-calls.ts, and the infra tests check that list against
 * each function's synthesized IAM policy both ways (every call allowed, every grant called).
 */

/** The deployed functions, named as the compute stack and functionTimeoutSeconds name them. */
export type FunctionName = keyof typeof functionTimeoutSeconds;

/**
 * One kind of call: the IAM action and the resource it acts on, by logical name: a table
 * (`Ledger`), a table's index (`Messages/index/byDue`), `LinkSecret`, the SES sending `identity`
 * and `configuration-set`. Written `action resource`, e.g. `dynamodb:UpdateItem Ledger`.
 */
export type AwsCall = string;

/** What could not be told apart from a request: the recorder does not understand it yet, so nothing can grant it. */
export const UNRECOGNISED = '(a request the recorder does not understand)';

const recorded: Map<FunctionName, Set<AwsCall>> = ((globalThis as Record<symbol, unknown>)[Symbol.for('retention.awsCalls')] ??= new Map()) as Map<FunctionName, Set<AwsCall>>;

export const recordAwsCall = (functionName: FunctionName, call: AwsCall): void => {
  let calls = recorded.get(functionName);
  if (!calls) recorded.set(functionName, (calls = new Set()));
  calls.add(call);
};

/** Forgets what was recorded (a test file starts). */
export const clearRecordedAwsCalls = (): void => recorded.clear();

/** Every call recorded in this process so far, by function. */
export const recordedAwsCalls = (): Partial<Record<FunctionName, AwsCall[]>> =>
  Object.fromEntries([...recorded].map(([functionName, calls]) => [functionName, [...calls].sort()]));

const invocation = new AsyncLocalStorage<FunctionName>();

/**
 * Runs `run` as an invocation of `functionName`: only calls made inside one are recorded, so what a
 * test does through a runtime's stores to set the scene (an import, a planted message) is not taken
 * for something the function does.
 */
export const asInvocationOf =
  <A extends unknown[], R>(functionName: FunctionName, handler: (...args: A) => R) =>
  (...args: A): R =>
    invocation.run(functionName, () => handler(...args));

/** Records the call if `functionName` is being invoked; a client of another function used inside one is a wiring bug. */
export const recordIfInvoked = (functionName: FunctionName, calls: () => readonly AwsCall[]): void => {
  const current = invocation.getStore();
  if (current === undefined) return;
  if (current !== functionName) throw new Error(`a client of the ${functionName} function was called during an invocation of the ${current} function`);
  for (const call of calls()) recordAwsCall(functionName, call);
};

/** The IAM action of each item of a transaction. */
const transactActions: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };

/** A PartiQL statement's IAM action and table (with index, `"table"."index"`). */
const partiqlCall = (statement: string, logical: (table: string) => string): AwsCall => {
  const verb = /^\s*(SELECT|INSERT|UPDATE|DELETE)\b/i.exec(statement)?.[1]?.toUpperCase();
  const target = /\b(?:FROM|INTO|UPDATE)\s+"([^"]+)"(?:\."([^"]+)")?/i.exec(statement);
  if (!verb || !target) return `dynamodb:PartiQL ${UNRECOGNISED}`;
  const action = `dynamodb:PartiQL${verb[0]}${verb.slice(1).toLowerCase()}`;
  return `${action} ${logical(target[1]!)}${target[2] ? `/index/${target[2]}` : ''}`;
};

/** What IAM evaluates for one DynamoDB request: an action on a table or index, one per table for batches and transactions. */
export const dynamoDbCallsOf = (command: string, input: Record<string, unknown>, tables: TableNames): AwsCall[] => {
  const byPhysical = new Map(Object.entries(tables).map(([logicalName, physical]) => [physical, logicalName]));
  const logical = (table: string) => byPhysical.get(table) ?? `(table ${table}, not one of this runtime's)`;
  if (typeof input.TableName === 'string') {
    const index = typeof input.IndexName === 'string' ? `/index/${input.IndexName}` : '';
    return [`dynamodb:${command} ${logical(input.TableName)}${index}`];
  }
  if (input.RequestItems && typeof input.RequestItems === 'object') return Object.keys(input.RequestItems).map((table) => `dynamodb:${command} ${logical(table)}`);
  if (Array.isArray(input.TransactItems)) {
    return (input.TransactItems as Record<string, { TableName?: string }>[]).flatMap((item) =>
      Object.entries(item).map(([kind, request]) => `dynamodb:${transactActions[kind] ?? kind} ${request.TableName ? logical(request.TableName) : UNRECOGNISED}`),
    );
  }
  if (typeof input.Statement === 'string') return [partiqlCall(input.Statement, logical)];
  if (Array.isArray(input.Statements)) return (input.Statements as { Statement: string }[]).map(({ Statement }) => partiqlCall(Statement, logical));
  if (Array.isArray(input.TransactStatements)) return (input.TransactStatements as { Statement: string }[]).map(({ Statement }) => partiqlCall(Statement, logical));
  return [`dynamodb:${command} ${UNRECOGNISED}`];
};

/**
 * What IAM evaluates for one SESv2 request: `SendEmail` on the sending identity and, when one is named,
 * the configuration set; `GetAccount` on the account (`*`: it has no resource-level permissions).
 */
export const sesCallsOf = (command: string, input: Record<string, unknown>): AwsCall[] => {
  if (command === 'GetAccount') return ['ses:GetAccount account'];
  if (command !== 'SendEmail') return [`ses:${command} ${UNRECOGNISED}`];
  return ['ses:SendEmail identity', ...(input.ConfigurationSetName ? ['ses:SendEmail configuration-set'] : [])];
};

/** The SDK command a middleware sees, without its `Command` suffix (`UpdateItem`). */
export const commandNameOf = (context: { commandName?: string }): string => String(context.commandName ?? 'unknown').replace(/Command$/, '');

/** Records every request `functionName`'s DynamoDB client makes during its invocations (before sending: IAM is asked either way). */
export const recordDynamoDbCalls = (client: DynamoDBClient, functionName: FunctionName, tables: TableNames): void => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      recordIfInvoked(functionName, () => dynamoDbCallsOf(commandNameOf(context), args.input as Record<string, unknown>, tables));
      return next(args);
    },
    { step: 'initialize', name: 'recordAwsCalls' },
  );
};

/** Records every request `functionName`'s SES client makes during its invocations. */
export const recordSesCalls = (client: SESv2Client, functionName: FunctionName): void => {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      recordIfInvoked(functionName, () => sesCallsOf(commandNameOf(context), args.input as Record<string, unknown>));
      return next(args);
    },
    { step: 'initialize', name: 'recordAwsCalls' },
  );
};
