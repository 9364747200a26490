/** `ana.garcia@example.com` → `a***@example.com`: enough to recognise a domain, never the address. */
export const maskEmail = (email: string): string => {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
};

/**
 * An address in a text: a local part with every character the schema takes in one (`'` too, as in
 * `mary.o'connor`, but not first, where it is the quote around a quoted address), and a domain that
 * does not take the full stop ending a sentence.
 */
const addressInText = /[^\s<>"'(),;:][^\s<>"(),;:]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*/g;

/** Masks every address in a text (an error message from a provider may quote the recipient's). */
export const maskEmailsIn = (text: string): string => text.replace(addressInText, (address) => maskEmail(address));

/** Takes every address out of a text, masked ones too: what stays of an erased customer's suppression may not point at them. */
export const redactEmailsIn = (text: string): string => text.replace(addressInText, '[address]');
