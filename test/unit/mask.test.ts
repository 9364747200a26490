import { describe, expect, it } from 'vitest';
import { maskEmailsIn, redactEmailsIn } from '../../functions/core/mask.js';
import { customerSchema } from '../../functions/core/records.js';

/** Addresses the customer schema accepts, with every character it takes in a local part. */
const addresses = ["mary.o'connor@example.com", "o'neil@example.com", 'ana_maria+news@example.com', 'jean-luc.picard@example.com', 'x@example.com'];

describe('masking addresses in a text', () => {
  it.each(addresses)('masks all of %s, bare, quoted or in angle brackets', (address) => {
    // Prepare: the schema takes it (so a reason or a provider's error may quote it)
    expect(customerSchema.shape.email.safeParse(address).success).toBe(true);
    const local = address.slice(0, address.indexOf('@'));

    for (const text of [`to ${address}.`, `'${address}'`, `<${address}>`, `"${address}"`]) {
      // Act
      const masked = maskEmailsIn(text);
      const redacted = redactEmailsIn(text);

      // Assess: nothing of the local part but its first letter, nothing of it at all when redacted
      expect(masked).toBe(text.replace(address, `${address[0]}***@example.com`));
      expect(redacted).toBe(text.replace(address, '[address]'));
      if (local.length > 1) expect(masked).not.toContain(local.slice(1));
    }
  });
});
