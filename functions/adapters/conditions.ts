import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** A conditional write that did not apply: the expected outcome of an idempotent or racing write, not a fault. */
export const isConditionFailure = (error: unknown): boolean => (error as Error | undefined)?.name === 'ConditionalCheckFailedException';

/** For `.catch()` on a write whose failed condition simply means "nothing to do". */
export const ignoreConditionFailure = (error: unknown): void => {
  if (!isConditionFailure(error)) throw error;
};

/**
 * The item as it was when a write's condition failed (asked for with `ReturnValuesOnConditionCheckFailure:
 * 'ALL_OLD'`), as the document client reads items; undefined when there was none. The document client
 * leaves it in DynamoDB's wire form.
 */
export const itemAtConditionFailure = (error: unknown): Record<string, unknown> | undefined => {
  const item = (error as { Item?: Record<string, AttributeValue> } | undefined)?.Item;
  return item === undefined ? undefined : unmarshall(item);
};
