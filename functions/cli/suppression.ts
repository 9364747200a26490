import type { Command } from 'commander';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { deployedDueShards } from '../adapters/deploy-settings.js';
import { DynamoConfigStore } from '../adapters/dynamo-config.js';
import { DynamoCustomerStore } from '../adapters/dynamo-customers.js';
import { DynamoLedgerStore } from '../adapters/dynamo-ledger.js';
import { DynamoOutbox } from '../adapters/dynamo-outbox.js';
import { DynamoSuppressionStore } from '../adapters/dynamo-suppressions.js';
import type { TableNames } from '../adapters/tables.js';
import { liftSuppression, type LiftedSuppression } from '../core/jobs/lift-suppression.js';
import { maskEmail, maskEmailsIn } from '../core/mask.js';
import * as z from '../core/schema.js';
import { addressKey, suppressionOf } from '../core/suppression.js';
import type { TableCommandParts, TargetOptions } from './templates.js';
import { UsageError } from './usage-error.js';

const anAddress = z.email();

/** The address given on the command line, or an error naming it (masked: it is personal data). */
const checkedAddress = (address: string): string => {
  if (!anAddress.safeParse(address.trim()).success) throw new UsageError(`'${maskEmail(address)}' is not an e-mail address`);
  return address.trim();
};

/** Lifts a suppression on these tables with the stores a profile write plans with, and the Suppressions table. */
export const liftOn = async (db: DynamoDBDocumentClient, tables: TableNames, address: string, now: Date): Promise<LiftedSuppression> => {
  const configStore = new DynamoConfigStore(db, tables.Control);
  const deps = {
    customers: new DynamoCustomerStore(db, tables.Customers),
    ledger: new DynamoLedgerStore(db, tables.Ledger, deployedDueShards),
    outbox: new DynamoOutbox(db, tables.Messages, () => configStore.get(), deployedDueShards),
    config: await configStore.get(),
    suppressions: new DynamoSuppressionStore(db, tables.Suppressions),
  };
  return liftSuppression(deps, address, now);
};

/** What `suppression remove` says of the customers the suppression had taken off the contact floor (ids masked: one may be an address). */
const floorLines = ({ backOnFloor, invalidProfiles, withoutProfile, withoutMarketing }: LiftedSuppression): string[] => [
  ...(backOnFloor.length === 0 ? [] : [`Back on the contact floor, their plan made again: ${backOnFloor.length} customer${backOnFloor.length === 1 ? '' : 's'} it had taken off (${backOnFloor.map(maskEmailsIn).join(', ')}).`]),
  ...invalidProfiles.map(({ customerId, reason }) => `Still off the floor: ${maskEmailsIn(customerId)}, whose profile is invalid (${maskEmailsIn(reason)}); it is put back once the profile is mended.`),
  ...withoutProfile.map((customerId) => `Left as it was: ${maskEmailsIn(customerId)} has a ledger but no profile on record.`),
  ...(withoutMarketing.length === 0 ? [] : [`Reachable again, with no floor to keep (no marketing consent, or they chose not to receive it): ${withoutMarketing.map(maskEmailsIn).join(', ')}.`]),
];

/**
 * `retention suppression add|remove <address>`: what ops do by hand to the Suppressions table (a
 * bounce or complaint the mail-events function could not read; a suppression made by mistake). Only
 * the masked address is ever printed.
 */
export const registerSuppressionCommands = (program: Command, parts: TableCommandParts): void => {
  const { targetOptions, withDatabase, log } = parts;
  const suppression = program.command('suppression').description('an address\'s suppression: nothing is sent to a suppressed address, whoever it belongs to');

  targetOptions(
    suppression
      .command('add')
      .description('suppress an address by hand (a hard bounce or a complaint the mail-events function could not read)')
      .argument('<address>')
      .requiredOption('--reason <text>', 'why, kept with the suppression (no personal data)'),
  ).action(async (given: string, options: TargetOptions & { reason: string }) => {
    const address = checkedAddress(given);
    const reason = options.reason.trim();
    if (reason === '') throw new UsageError('--reason is empty: say why the address is suppressed');
    const before = await withDatabase(options, async (db, tables) => {
      const store = new DynamoSuppressionStore(db, tables.Suppressions);
      const existing = (await store.suppressedAmong([addressKey(address)])).get(addressKey(address));
      if (existing === undefined) await store.suppress([suppressionOf(address, `suppressed by hand: ${reason}`, new Date())]);
      return existing;
    });
    log(before === undefined ? `Suppressed ${maskEmail(address)}: nothing more is sent to it.` : `${maskEmail(address)} was suppressed already (${before}); left as it was.`);
  });

  targetOptions(
    suppression
      .command('remove')
      .description('lift an address\'s suppression (made by mistake, or the customer asked to be written to again)')
      .argument('<address>'),
  ).action(async (given: string, options: TargetOptions) => {
    const address = checkedAddress(given);
    const result = await withDatabase(options, (db, tables) => liftOn(db, tables, address, new Date()));
    const { lifted } = result;
    if (!lifted) {
      // A lift that stopped before putting everyone back is finished by running it again.
      log([`${maskEmail(address)} is not suppressed: nothing to lift.`, ...floorLines(result)].join('\n'));
      if (result.backOnFloor.length === 0) process.exitCode = 1;
      return;
    }
    log([`Lifted the suppression of ${maskEmail(address)} (${lifted.reason}, since ${lifted.since.slice(0, 10)}): messages planned from now on may go to it.`, ...floorLines(result)].join('\n'));
  });
};
