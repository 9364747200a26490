import type { Command } from 'commander';
import { DynamoSuppressionStore } from '../adapters/dynamo-suppressions.js';
import { maskEmail } from '../core/mask.js';
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
    const removed = await withDatabase(options, (db, tables) => new DynamoSuppressionStore(db, tables.Suppressions).remove(addressKey(address)));
    if (!removed) {
      log(`${maskEmail(address)} is not suppressed: nothing to lift.`);
      process.exitCode = 1;
      return;
    }
    log(
      [
        `Lifted the suppression of ${maskEmail(address)} (${removed.reason}, since ${removed.since.slice(0, 10)}).`,
        // The dispatcher took the customer off the contact floor when it met the suppression (markUnreachable).
        'Messages planned from now on may go to it; its customer\'s contact floor is kept again once their profile is next written (import their line again).',
      ].join('\n'),
    );
  });
};
