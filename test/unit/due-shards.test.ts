import { describe, expect, it } from 'vitest';
import { dueShardsFromEnv } from '../../functions/adapters/runtime.js';
import { allDueShards, checkedDueShards, DEFAULT_DUE_SHARDS, dueShardOf } from '../../functions/core/messages.js';

describe('the partitions of waiting messages (the deploy setting dueShards)', () => {
  it('takes a whole number from 1 to 99, 4 when absent, and refuses anything else naming where and the value', () => {
    expect(checkedDueShards(undefined, 'x')).toBe(DEFAULT_DUE_SHARDS);
    expect(DEFAULT_DUE_SHARDS).toBe(4);
    expect(checkedDueShards(1, 'x')).toBe(1);
    expect(checkedDueShards(99, 'x')).toBe(99);
    for (const value of [0, -4, 4.5, 100, '4', null, Number.NaN]) expect(() => checkedDueShards(value, 'cdk.json here')).toThrow(`cdk.json here: ${JSON.stringify(value)} is not a whole number from 1 to 99`);
  });

  it('reads DUE_SHARDS from the environment, as the compute stack sets it, and refuses a value that is not a count', () => {
    expect(dueShardsFromEnv({})).toBe(DEFAULT_DUE_SHARDS);
    expect(dueShardsFromEnv({ DUE_SHARDS: '8' })).toBe(8);
    expect(() => dueShardsFromEnv({ DUE_SHARDS: 'eight' })).toThrow('environment variable DUE_SHARDS ("eight")');
    expect(() => dueShardsFromEnv({ DUE_SHARDS: '' })).toThrow('environment variable DUE_SHARDS ("")');
  });

  it('keeps the partitions so far among the new ones when raised, and each customer in one of them', () => {
    expect(allDueShards(8).slice(0, 4)).toEqual(allDueShards(4));
    const customers = Array.from({ length: 200 }, (_, i) => `c-${i}`);
    for (const shards of [1, 4, 8, 99]) {
      const used = new Set(customers.map((id) => dueShardOf(id, shards)));
      expect([...used].every((shard) => allDueShards(shards).includes(shard))).toBe(true);
      expect(used.size).toBe(shards);
    }
  });
});
