import { type DomainError, isDomainError } from '@powerbank/domain';

/**
 * Runs a money operation whose refusal for lack of funds is an outcome, not a
 * failure: resolves with that INSUFFICIENT_FUNDS error (or undefined when the
 * operation went through); any other error is thrown on.
 */
export async function refusedForFunds(operation: () => Promise<unknown>): Promise<DomainError | undefined> {
  try {
    await operation();
    return undefined;
  } catch (error) {
    if (isDomainError(error) && error.code === 'INSUFFICIENT_FUNDS') return error;
    throw error;
  }
}
