import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DynamoErasureStore } from '../adapters/dynamo-erasure.js';
import { readCustomerExport } from '../adapters/customer-story.js';
import { eraseCustomer, type ErasureResult } from '../core/jobs/erase-customer.js';
import type { ErasureCounts } from '../core/ports.js';
import { recordKeyOf, type NdjsonLine } from '../core/records.js';
import type { TableNames } from '../adapters/tables.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SECOND_PASS_AFTER_MINUTES } from '../core/erasure.js';
import { maskEmailsIn } from '../core/mask.js';
import type { TableCommandParts, TargetOptions } from './templates.js';


export const isDeployed = (options: TargetOptions): boolean => options.outputs !== undefined || options.stack !== undefined;

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const deletedCounts = (deleted: ErasureCounts) => `${count(deleted.customers, 'record')} (Customers), ${count(deleted.messages, 'message')} (Messages), ${count(deleted.ledger, 'ledger', 'ledgers')} (Ledger)`;

/** What `customer erase` says it did: counts by table, the receipt, and the second pass when one is still to come. */
export const formatErasure = (customerId: string, result: ErasureResult): string => {
  const { deleted, receipt } = result;
  const total = deleted.customers + deleted.messages + deleted.ledger;
  const lines = [
    total === 0
      ? `Nothing of ${customerId} was on record; the receipt below still keeps an old file or a late record from bringing them back.`
      : `Erased ${customerId}: deleted ${deletedCounts(deleted)}.`,
    deleted.suppressions > 0 ? 'Their address stays suppressed under its hash alone (the masked address and any address in the reason removed).' : 'Their address was not suppressed.',
    `Receipt: erasure#${receipt.customerHash} in the Control table, erased at ${receipt.erasedAt}; it holds no id and no address.`,
    result.secondPassAfter
      ? `Second pass after ${result.secondPassAfter} (${SECOND_PASS_AFTER_MINUTES} minutes: the longest a function that read them before may still write), made by the dispatcher's next run; until then the id is kept in the receipt for it.`
      : 'Second pass done at once (nothing else writes to the local stack now): the id is kept nowhere.',
    `Records of ${customerId} imported or written later are refused, and plan nothing, until a customer record created after ${receipt.erasedAt} registers them again.`,
  ];
  // An id that is an address is not printed whole, here least of all.
  return maskEmailsIn(lines.join('\n'));
};

/**
 * The `erasure` records an import wrote to the local stack, applied as `customer erase` applies one
 * there, both passes at once: no customer stream runs on the local stack to apply them (in AWS the
 * stream does, as for a business system writing them). In the file's order; one line said per erasure.
 */
export const applyImportedErasures = async (db: DynamoDBDocumentClient, tables: TableNames, lines: readonly NdjsonLine[], now: Date): Promise<string[]> => {
  const said: string[] = [];
  for (const { line, record } of lines) {
    if (record.type !== 'erasure') continue;
    const result = await eraseCustomer(new DynamoErasureStore(db, tables), record.customerId, now, { requestedAt: record.requestedAt, requestedBy: 'record', secondPass: 'now', recordKey: recordKeyOf(record) });
    said.push(`line ${line}: erased ${maskEmailsIn(record.customerId)}: deleted ${deletedCounts(result.deleted)}; both passes at once`);
  }
  return said;
};

/** `retention customer export | erase`: a customer's right to see their data and to be forgotten (docs/personal-data.md). */
export const registerCustomerCommands = (program: Command, parts: TableCommandParts): void => {
  const { targetOptions, withDatabase, log } = parts;
  const customer = program.command('customer').description('a customer\'s personal data: export it all as JSON, or erase it (their right to be forgotten)');

  targetOptions(
    customer
      .command('export')
      .description('every item held about one customer in every table (records, preferences, messages with subjects, states and reasons, ledger, suppression) as one JSON document')
      .argument('<customerId>')
      .option('--out <file>', 'write the document to this file instead of standard output'),
  ).action(async (customerId: string, options: TargetOptions & { out?: string }) => {
    const document = await withDatabase(options, (db, tables) => readCustomerExport(db, tables, customerId, new Date()));
    const known = document.records.length > 0 || document.messages.length > 0 || document.ledger !== null || document.preferences !== null;
    const json = `${JSON.stringify(document, null, 2)}\n`;
    if (options.out) {
      await writeFile(options.out, json);
      log(`${known ? 'Exported' : 'Nothing on record for'} ${customerId}${known ? `: ${count(document.records.length, 'record')}, ${count(document.messages.length, 'message')}` : ''} → ${options.out}`);
    } else {
      process.stdout.write(json);
    }
    process.exitCode = known ? 0 : 1;
  });

  targetOptions(
    customer
      .command('erase')
      .description('forget one customer: delete every item of theirs in every table (waiting messages never go), keep only a receipt under a hash of the id and, if their address was suppressed, the suppression under its hash')
      .argument('<customerId>'),
  ).action(async (customerId: string, options: TargetOptions) => {
    const result = await withDatabase(options, (db, tables) =>
      eraseCustomer(new DynamoErasureStore(db, tables), customerId, new Date(), { requestedBy: 'command', secondPass: isDeployed(options) ? 'later' : 'now' }),
    );
    log(formatErasure(customerId, result));
  });
};
