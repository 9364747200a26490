import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoLedgerStore } from '../../functions/adapters/dynamo-ledger.js';
import { documentClientFor } from '../../functions/adapters/runtime.js';
import { createTables, dynamoDbClient } from '../../functions/local/local-stack.js';
import { endpoints, uniquePrefix } from './helpers.js';

let ledger: DynamoLedgerStore;

beforeAll(async () => {
  const dynamo = dynamoDbClient(endpoints().dynamodbEndpoint);
  const tables = await createTables(dynamo, uniquePrefix('ledger'));
  ledger = new DynamoLedgerStore(documentClientFor(dynamo), tables.Ledger);
});

/** A customer whose last capped message went on 2027-06-01, so the cap allows another from 2027-06-08. */
const customerCappedOn = async (customerId: string) => {
  await ledger.open(customerId, '2027-05-01', '2027-05-31', { timeZone: 'UTC', marketingOptIn: true });
  expect(await ledger.reserveCap(customerId, `${customerId}#birthday#2027`, '2027-06-01', '2027-05-25')).toEqual({ taken: true });
};

describe('the cap on the ledger: reserve and release are idempotent per message', () => {
  it('a message reserving twice (a retry after a lost answer, a re-claim) and then released restores the date before it', async () => {
    await customerCappedOn('twice');
    const renewal = 'twice#renewal#k-1#30';
    expect(await ledger.reserveCap('twice', renewal, '2027-06-10', '2027-06-03')).toEqual({ taken: true });
    expect(await ledger.reserveCap('twice', renewal, '2027-06-10', '2027-06-03')).toEqual({ taken: true });
    await ledger.releaseCap('twice', renewal);
    expect((await ledger.get('twice'))?.lastCappedDate).toBe('2027-06-01');
  });

  it('a message re-claimed on a later day takes the cap on that day, and its release still restores the date before it', async () => {
    await customerCappedOn('later');
    const renewal = 'later#renewal#k-1#30';
    expect(await ledger.reserveCap('later', renewal, '2027-06-10', '2027-06-03')).toEqual({ taken: true });
    expect(await ledger.reserveCap('later', renewal, '2027-06-11', '2027-06-04')).toEqual({ taken: true });
    expect((await ledger.get('later'))?.lastCappedDate).toBe('2027-06-11');
    await ledger.releaseCap('later', renewal);
    expect((await ledger.get('later'))?.lastCappedDate).toBe('2027-06-01');
  });

  it('a second release changes nothing, and does not give back a cap another message took since', async () => {
    await customerCappedOn('release');
    const first = 'release#renewal#k-1#30';
    const second = 'release#survey#o-1';
    await ledger.reserveCap('release', first, '2027-06-10', '2027-06-03');
    await ledger.releaseCap('release', first);
    await ledger.releaseCap('release', first);
    expect((await ledger.get('release'))?.lastCappedDate).toBe('2027-06-01');
    expect(await ledger.reserveCap('release', second, '2027-06-10', '2027-06-03')).toEqual({ taken: true });
    await ledger.releaseCap('release', first);
    expect((await ledger.get('release'))?.lastCappedDate).toBe('2027-06-10');
  });

  it('another message inside the cap is refused, told the last capped date', async () => {
    await customerCappedOn('refused');
    expect(await ledger.reserveCap('refused', 'refused#survey#o-1', '2027-06-05', '2027-05-29')).toEqual({ taken: false, lastCappedDate: '2027-06-01' });
    expect((await ledger.get('refused'))?.lastCappedMessageId).toBe('refused#birthday#2027');
  });
});
