import { type ApiClientOptions, createApiClient, isApiError } from '@powerbank/api-client';

// e.g. { url: 'https://api.example.com', token: session.token }
export async function newestReleases(options: ApiClientOptions) {
  const api = createApiClient(options);

  // Two calls in the same tick travel as one HTTP request (batching).
  const [ios, all] = await Promise.all([
    api.app.version.query({ platform: 'ios' }),
    api.app.version.query({}),
  ]);
  // Fully typed, and dates arrive as Date objects (superjson).
  const released: Date | undefined = ios.versions[0]?.releasedAt;
  return { ios: ios.versions[0]?.version, platforms: all.versions.length, released };
}

/** What to show a user when a call is refused. */
export function explainFailure(error: unknown): string {
  if (!isApiError(error)) throw error; // network failure, bug: not an api refusal
  // appCode is the api's own code (the same one REST sends as error.code).
  switch (error.data?.appCode) {
    case 'VALIDATION_FAILED':
      return `Please check: ${error.message}`;
    case 'RATE_LIMITED':
      return 'Too many attempts, try again in a minute.';
    case 'UNAUTHENTICATED':
      return 'Please sign in again.';
    default:
      return `Something went wrong (${error.data?.appCode ?? error.message}).`;
  }
}
