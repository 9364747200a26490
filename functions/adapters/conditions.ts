/** A conditional write that did not apply: the expected outcome of an idempotent or racing write, not a fault. */
export const isConditionFailure = (error: unknown): boolean => (error as Error | undefined)?.name === 'ConditionalCheckFailedException';

/** For `.catch()` on a write whose failed condition simply means "nothing to do". */
export const ignoreConditionFailure = (error: unknown): void => {
  if (!isConditionFailure(error)) throw error;
};
