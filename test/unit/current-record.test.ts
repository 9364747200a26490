import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoCustomerStore } from '../../functions/adapters/dynamo-customers.js';
import { readCurrent } from '../../functions/core/jobs/current-record.js';

/** A document client that answers BatchGetItem with `items` and keeps what it was asked. */
const recordingClient = (items: Record<string, unknown>[]) => {
  const requests: Record<string, unknown>[] = [];
  const client = {
    send: async (command: { input: Record<string, unknown> }) => {
      requests.push(command.input);
      return { Responses: { Customers: items } };
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, requests };
};

describe('the record a stream record says changed, as it is now', () => {
  it('is read with its profile in one strongly consistent BatchGetItem (an eventually consistent read may miss the very write the stream reports)', async () => {
    // Prepare
    const complaint = { customerId: 'c-1', recordKey: 'complaint#q-1', type: 'complaint', status: 'resolved' };
    const profile = { customerId: 'c-1', recordKey: 'customer', type: 'customer' };
    const { client, requests } = recordingClient([complaint, profile]);

    // Act
    const current = await readCurrent(new DynamoCustomerStore(client, 'Customers'), { customerId: 'c-1', recordKey: 'complaint#q-1' });

    // Assess
    expect(current).toEqual({ item: complaint, profile });
    expect(requests).toEqual([
      {
        RequestItems: {
          Customers: {
            Keys: [
              { customerId: 'c-1', recordKey: 'complaint#q-1' },
              { customerId: 'c-1', recordKey: 'customer' },
            ],
            ConsistentRead: true,
          },
        },
      },
    ]);
  });

  it('reads a profile once, and says when the record is gone', async () => {
    const { client, requests } = recordingClient([]);
    expect(await readCurrent(new DynamoCustomerStore(client, 'Customers'), { customerId: 'c-1', recordKey: 'customer' })).toEqual({ item: undefined, profile: undefined });
    expect(requests).toEqual([{ RequestItems: { Customers: { Keys: [{ customerId: 'c-1', recordKey: 'customer' }], ConsistentRead: true } } }]);
  });

  it('leaves other reads of the table eventually consistent', async () => {
    const { client, requests } = recordingClient([]);
    await new DynamoCustomerStore(client, 'Customers').getProfiles(['c-1']);
    expect(requests).toEqual([{ RequestItems: { Customers: { Keys: [{ customerId: 'c-1', recordKey: 'customer' }] } } }]);
  });
});
