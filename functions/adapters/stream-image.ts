import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { InvalidRecordError } from '../core/errors.js';

/**
 * A DynamoDB stream image as a plain item. DynamoDB holds numbers of up to 38 digits; JavaScript
 * holds integers exactly only up to 2^53 − 1, and `unmarshall` turns a bigger one into a BigInt (or
 * throws, for a fraction) that no schema of ours accepts and no log can print. Such a number makes
 * the record invalid: InvalidRecordError names the record, the attribute's path and the value.
 *
 * `record` says which record this is in messages (`complaint q-1 of customer c-1`); `type` prefixes
 * the field as the record validation does (`complaint.amount`).
 */
export const itemOfImage = (image: Record<string, AttributeValue>, record: string, type: string): Record<string, unknown> => {
  for (const [name, value] of Object.entries(image)) {
    const bad = unreadableNumberIn(value, name);
    if (bad) {
      throw new InvalidRecordError(record, bad.path, `${type}.${bad.path}: number '${bad.value}' cannot be read exactly (beyond ±${Number.MAX_SAFE_INTEGER})`);
    }
  }
  try {
    return unmarshall(image);
  } catch (error) {
    // Any other attribute unmarshall refuses (an unknown type): name the first one it refuses alone.
    const field = Object.keys(image).find((name) => refuses({ [name]: image[name]! })) ?? '(image)';
    throw new InvalidRecordError(record, field, `${type}.${field}: cannot be read (${(error as Error).message.slice(0, 80)})`);
  }
};

const refuses = (image: Record<string, AttributeValue>): boolean => {
  try {
    unmarshall(image);
    return false;
  } catch {
    return true;
  }
};

/** A number string JavaScript cannot hold as the number it is: not finite, or an integer part beyond 2^53 − 1. */
const unreadable = (text: string): boolean => {
  const number = Number(text);
  return !Number.isFinite(number) || Math.abs(number) > Number.MAX_SAFE_INTEGER;
};

/** The first unreadable number inside an attribute, with its path (`items[2].price`). */
const unreadableNumberIn = (value: AttributeValue, path: string): { path: string; value: string } | undefined => {
  if (value.N !== undefined) return unreadable(value.N) ? { path, value: value.N } : undefined;
  if (value.NS !== undefined) {
    const bad = value.NS.find(unreadable);
    return bad === undefined ? undefined : { path, value: bad };
  }
  if (value.M !== undefined) {
    for (const [name, inner] of Object.entries(value.M)) {
      const bad = unreadableNumberIn(inner, `${path}.${name}`);
      if (bad) return bad;
    }
  }
  if (value.L !== undefined) {
    for (const [index, inner] of value.L.entries()) {
      const bad = unreadableNumberIn(inner, `${path}[${index}]`);
      if (bad) return bad;
    }
  }
  return undefined;
};
