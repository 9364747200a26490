/**
 * A customer's shard among `count`: one customer always in the same one, customers spread evenly.
 * Hot index partitions are split by it (byDue in messages.ts, byFloorCheck in dynamo-ledger.ts).
 */
export const customerShard = (customerId: string, count: number): number => {
  let hash = 0;
  for (let i = 0; i < customerId.length; i++) hash = (hash * 31 + customerId.charCodeAt(i)) >>> 0;
  return hash % count;
};
