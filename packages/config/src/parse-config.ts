import type { z } from 'zod';

/** Thrown at boot when the environment is wrong; `message` has one line per bad or missing value. */
export class ConfigError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`Invalid configuration:\n${issues.map((line) => `  - ${line}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/**
 * Parses `env` with a service's schema. Empty strings count as unset so that an
 * `.env` line like `NATS_URL=` falls back to the default instead of failing.
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(root)';
    const received = cleaned[key];
    const shown = received === undefined ? 'missing' : `got ${JSON.stringify(received)}`;
    return `${key}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(issues);
}
