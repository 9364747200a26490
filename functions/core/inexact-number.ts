/**
 * A number as DynamoDB stores it (up to 38 digits) that JavaScript cannot hold exactly: an integer
 * part beyond 2^53 − 1. Every read keeps its digits in one of these (adapters/runtime.ts) instead of
 * a BigInt no schema accepts, or an error that fails the whole read; a record holding one is invalid
 * (records.ts names its field and digits), the other items of the read go through. Logged as its digits.
 */
export class InexactNumber {
  constructor(readonly digits: string) {}
  toJSON(): string {
    return this.digits;
  }
}

/** A stored number as read: a JavaScript number when it is exact, else its digits kept (InexactNumber). */
export const numberAsStored = (digits: string): number | InexactNumber => {
  const number = Number(digits);
  return Number.isFinite(number) && Math.abs(number) <= Number.MAX_SAFE_INTEGER ? number : new InexactNumber(digits);
};

/** The first InexactNumber inside a value, with its path (`details.refund`, `items[2].price`). */
export const firstInexactNumber = (value: unknown, path: string): { path: string; digits: string } | undefined => {
  if (value instanceof InexactNumber) return { path, digits: value.digits };
  if (value instanceof Set) {
    const inexact = [...value].find((member): member is InexactNumber => member instanceof InexactNumber);
    return inexact && { path, digits: inexact.digits };
  }
  if (Array.isArray(value)) {
    for (const [index, inner] of value.entries()) {
      const found = firstInexactNumber(inner, `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [name, inner] of Object.entries(value)) {
      const found = firstInexactNumber(inner, path ? `${path}.${name}` : name);
      if (found) return found;
    }
  }
  return undefined;
};
