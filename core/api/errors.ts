import { z } from 'zod';

// Errors cross the transport as data. `code` is stable and translated by the renderer;
// `details` carries what the message needs (field names, row numbers) — never personal data.

export const ERROR_CODES = [
  'bad_request',
  'not_found',
  'conflict',
  'rule_violation',
  'unauthorized',
  'forbidden_sender',
  'unknown_method',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const appErrorShape = z.object({
  code: z.enum(ERROR_CODES),
  /** A machine key for the specific rule, e.g. 'grid.parent_level'. */
  reason: z.string(),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type AppErrorShape = z.infer<typeof appErrorShape>;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly reason: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${reason}`);
    this.name = 'AppError';
  }

  toShape(): AppErrorShape {
    return { code: this.code, reason: this.reason, details: this.details };
  }
}

export const ruleViolation = (reason: string, details?: Record<string, unknown>) =>
  new AppError('rule_violation', reason, details);
export const notFound = (what: string, id: string) => new AppError('not_found', `${what}.not_found`, { id });

/** The envelope both transports use for a reply. */
export type Reply<T> = { ok: true; result: T } | { ok: false; error: AppErrorShape };

/** Turns zod issues into a bad_request whose details name each failing field. */
export function fromZodError(error: z.ZodError): AppError {
  return new AppError('bad_request', 'invalid_arguments', {
    issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}
