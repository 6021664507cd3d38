import { contract, isMethodName, type Handlers, type MethodName } from '../core/api/contract';
import { AppError, fromZodError, type Reply } from '../core/api/errors';
import { createLogger } from './log';

const log = createLogger('dispatch');

/**
 * The one entry both transports (IPC and the browser host) call: parses the arguments
 * with the contract before any handler runs, and turns every failure into a Reply.
 */
export async function dispatch(handlers: Handlers, method: string, args: unknown): Promise<Reply<unknown>> {
  if (!isMethodName(method)) return { ok: false, error: new AppError('unknown_method', 'unknown_method', { method }).toShape() };
  const parsed = contract[method].request.safeParse(args ?? {});
  if (!parsed.success) return { ok: false, error: fromZodError(parsed.error).toShape() };
  try {
    const handler = handlers[method] as (request: unknown) => unknown;
    return { ok: true, result: await handler(parsed.data) };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: error.toShape() };
    log.error({ method, err: error }, 'handler failed');
    return { ok: false, error: new AppError('internal', 'internal').toShape() };
  }
}

export type { MethodName };
