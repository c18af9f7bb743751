// Where the scripts point and what data they assume; every value can be set with -e NAME=value.

export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');

/**
 * The data set the api serves: `demo` (bash infra/up: 50 stations around San Francisco's Civic
 * Center, PB-DEMO-0001…0050) or `large` (pnpm db:seed:large: eight US metro areas).
 */
export const DATASET = __ENV.DATASET || 'demo';

/** City centres [lat, lng, radius in degrees] that nearby searches pick random points around. */
export const CITIES =
  DATASET === 'large'
    ? [
        [40.7128, -74.006, 0.1],
        [34.0522, -118.2437, 0.1],
        [41.8781, -87.6298, 0.1],
        [29.7604, -95.3698, 0.1],
        [37.7749, -122.4194, 0.1],
        [47.6062, -122.3321, 0.1],
        [25.7617, -80.1918, 0.1],
        [39.7392, -104.9903, 0.1],
      ]
    : [[37.7793, -122.4193, 0.04]];

/**
 * The sandbox gateway's webhook secret (SANDBOX_WEBHOOK_SECRET), to sign the webhook the wallet
 * flow sends as the gateway would; the default is the development one.
 */
export const SANDBOX_WEBHOOK_SECRET = __ENV.SANDBOX_WEBHOOK_SECRET || 'sandbox-webhook-secret-change-me';

/** Seconds of think time between a user's steps: [min, max]; 0 in smoke runs of a single flow. */
export const THINK = (__ENV.THINK || '1-3').split('-').map(Number);
