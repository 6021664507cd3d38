import type { FastifyReply } from 'fastify';
import type { SYNC_ERROR_CODES } from '../../core/sync/protocol';

export type SyncErrorCode = (typeof SYNC_ERROR_CODES)[number];

/** An error reply `{error: {code, reason}}` (core/sync/protocol.ts syncError). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: SyncErrorCode,
    readonly reason: string,
    readonly extra: { minProtocol?: number; minSchema?: number } = {},
  ) {
    super(`${code}: ${reason}`);
  }
}

export const badRequest = (reason: string) => new HttpError(400, 'bad_request', reason);
export const tooLarge = (reason = 'decoded_body_too_large') => new HttpError(413, 'payload_too_large', reason);

export function sendError(reply: FastifyReply, error: HttpError): FastifyReply {
  return reply.code(error.status).send({ error: { code: error.code, reason: error.reason, ...error.extra } });
}
