import { DomainError, ERROR_TABLE, type ErrorCode } from '@powerbank/domain';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { ZodError } from 'zod';

export interface ErrorBody {
  code: ErrorCode | string;
  message: string;
  details?: Record<string, unknown>;
  status: number;
}

/** One description of any error, used by the tRPC formatter and the REST envelope alike. */
export function describeError(error: unknown): ErrorBody {
  const cause = error instanceof TRPCError ? error.cause : error;
  if (cause instanceof DomainError) {
    return {
      code: cause.code,
      message: cause.message,
      details: cause.details,
      status: ERROR_TABLE[cause.code].status,
    };
  }
  if (cause instanceof ZodError) {
    const fields = cause.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    const message = fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join('; ');
    return {
      code: 'VALIDATION_FAILED',
      message: message || 'invalid input',
      details: { fields },
      status: 400,
    };
  }
  if (error instanceof TRPCError) {
    const status = getHTTPStatusCodeFromError(error);
    if (status >= 500) return { code: 'INTERNAL', message: 'internal error', status };
    const known = Object.entries(ERROR_TABLE).find(([, entry]) => entry.trpc === error.code)?.[0];
    return { code: known ?? error.code, message: error.message, status };
  }
  return { code: 'INTERNAL', message: 'internal error', status: 500 };
}
