import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from './batch-get.js';
import type { SuppressionStore } from '../core/ports.js';
import type { Suppression } from '../core/suppression.js';
import { ignoreConditionFailure } from './conditions.js';

/** The Suppressions table: one item per suppressed address, keyed by the address's hash. */
export class DynamoSuppressionStore implements SuppressionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async suppress(suppressions: readonly Suppression[]): Promise<void> {
    for (const suppression of suppressions) {
      await this.client
        .send(new PutCommand({ TableName: this.tableName, Item: suppression, ConditionExpression: 'attribute_not_exists(addressKey)' }))
        .catch(ignoreConditionFailure);
    }
  }

  async suppressedAmong(addressKeys: readonly string[]): Promise<Map<string, string>> {
    const items = await batchGetAll(this.client, this.tableName, [...new Set(addressKeys)].map((addressKey) => ({ addressKey })));
    return new Map(items.map((item) => [String(item.addressKey), String(item.reason)]));
  }

  /** Lifts an address's suppression (`retention suppression remove`): what it was, or undefined when it had none. */
  async remove(addressKey: string): Promise<Suppression | undefined> {
    const { Attributes } = await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { addressKey }, ReturnValues: 'ALL_OLD' }));
    return Attributes as Suppression | undefined;
  }
}
