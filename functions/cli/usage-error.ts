/** A command used wrongly (a bad argument it could only check itself): the CLI prints the message alone and exits 2. */
export class UsageError extends Error {}
