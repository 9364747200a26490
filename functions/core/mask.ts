/** `ana.garcia@example.com` → `a***@example.com`: enough to recognise a domain, never the address. */
export const maskEmail = (email: string): string => {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
};
