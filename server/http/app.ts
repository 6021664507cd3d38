import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type pino from 'pino';
import { EVENTS_HEARTBEAT_MAX_MS, MAX_BATCH_BYTES, MIN_PROTOCOL_VERSION, MIN_STATION_SCHEMA, PROTOCOL_VERSION } from '../../core/sync/protocol';
import { AuthError } from '../auth/devices';
import { hashToken } from '../auth/tokens';
import type { Db } from '../db/db';
import { isTransient } from '../db/errors';
import { schemaVersion } from '../db/migrate';
import { createServerLogger } from '../log';
import { SnapshotNotFound } from '../sync/snapshot';
import { installBodyParser } from './body';
import { HttpError, sendError, tooLarge } from './errors';
import { registerEvents, type EventStreams } from './events';
import { registerSyncRoutes } from './sync-routes';

declare module 'fastify' {
  interface FastifyRequest {
    /** Hash of the bearer token (the raw token is never kept): the route's transaction authenticates it. */
    tokenHash?: string;
    schemaVersion?: number;
  }
  interface FastifyContextConfig {
    /** false = no bearer token needed (enroll). */
    auth?: boolean;
  }
}

export interface ServerOptions {
  db: Db;
  logger?: pino.Logger;
  /** Cap on the decoded request body (bytes). Default: the protocol's batch cap plus 64 KiB of envelope. */
  maxBodyBytes?: number;
  /** Per bearer token, i.e. per device (per IP for requests without a token: enroll). */
  rateLimit?: { max: number; timeWindowMs: number };
  enrollRateLimit?: { max: number; timeWindowMs: number };
  heartbeatMs?: number;
  pushTimeoutMs?: number;
  pullTimeoutMs?: number;
  chunkTimeoutMs?: number;
  snapshotChunkSize?: number;
}

export interface ResolvedOptions extends Required<Omit<ServerOptions, 'logger'>> {
  logger: pino.Logger;
}

export function resolveOptions(options: ServerOptions): ResolvedOptions {
  // a station takes a stream quiet for EVENTS_IDLE_MS for dead: a slower heartbeat would reconnect every stream
  if ((options.heartbeatMs ?? 0) > EVENTS_HEARTBEAT_MAX_MS) throw new RangeError(`heartbeatMs is at most ${EVENTS_HEARTBEAT_MAX_MS}`);
  return {
    db: options.db,
    logger: options.logger ?? createServerLogger(),
    maxBodyBytes: options.maxBodyBytes ?? MAX_BATCH_BYTES + 64 * 1024,
    rateLimit: options.rateLimit ?? { max: 600, timeWindowMs: 60_000 },
    enrollRateLimit: options.enrollRateLimit ?? { max: 20, timeWindowMs: 60_000 },
    heartbeatMs: options.heartbeatMs ?? 15_000,
    pushTimeoutMs: options.pushTimeoutMs ?? 10_000,
    pullTimeoutMs: options.pullTimeoutMs ?? 10_000,
    chunkTimeoutMs: options.chunkTimeoutMs ?? 30_000,
    snapshotChunkSize: options.snapshotChunkSize ?? 5000,
  };
}

function versionHeaders(request: FastifyRequest): { protocol: number; schema: number } {
  const protocol = String(request.headers['x-griddesk-protocol'] ?? '');
  const schema = String(request.headers['x-griddesk-schema'] ?? '');
  if (!/^\d{1,6}$/.test(protocol) || !/^\d{1,6}$/.test(schema)) throw new HttpError(400, 'bad_request', 'version_headers_missing');
  return { protocol: Number(protocol), schema: Number(schema) };
}

/** The window of protocols and station schemas this server syncs with (a header's, or a body's). */
export function checkVersions(protocol: number, schema: number): void {
  if (protocol < MIN_PROTOCOL_VERSION) throw new HttpError(426, 'client_too_old', 'protocol_too_old', { minProtocol: MIN_PROTOCOL_VERSION });
  if (protocol > PROTOCOL_VERSION) throw new HttpError(400, 'bad_request', 'protocol_newer_than_server');
  if (schema < MIN_STATION_SCHEMA) throw new HttpError(426, 'client_too_old', 'schema_too_old', { minSchema: MIN_STATION_SCHEMA });
}

function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header);
  if (!match?.[1]) throw new HttpError(401, 'unauthorized', 'missing_token');
  return match[1];
}

/** The hash the onRequest hook kept; the route's transaction authenticates it (withDevice). */
export function tokenHashOf(request: FastifyRequest): string {
  if (!request.tokenHash) throw new HttpError(401, 'unauthorized', 'missing_token');
  return request.tokenHash;
}

/**
 * Closes the server: requests in flight may finish for `graceMs`, then every connection left is
 * cut. A client that gave up while its connection was opening (a station quitting mid-request)
 * leaves one that never sends a request, and Node counts it as busy until the request timeout:
 * app.close() alone waited up to a minute for it.
 */
export async function closeServer(app: FastifyInstance, graceMs: number): Promise<void> {
  const force = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(force);
  }
}

export async function buildApp(input: ServerOptions): Promise<{ app: FastifyInstance; streams: EventStreams }> {
  const options = resolveOptions(input);
  const { db } = options;
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    requestTimeout: 60_000,
    connectionTimeout: 120_000,
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
  });
  installBodyParser(app, options.maxBodyBytes);

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof HttpError) return sendError(reply, error);
    if (error instanceof AuthError) {
      return sendError(reply, new HttpError(error.status, error.status === 401 ? 'unauthorized' : 'forbidden', error.reason));
    }
    if (error instanceof SnapshotNotFound) return sendError(reply, new HttpError(404, 'not_found', error.message));
    const fastifyCode = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    const status = typeof error === 'object' && error !== null && 'statusCode' in error ? Number(error.statusCode) : 500;
    if (fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) return sendError(reply, tooLarge('body_too_large'));
    if (isTransient(error)) {
      request.log.warn({ err: error }, 'transient database failure');
      return sendError(reply, new HttpError(503, 'unavailable', 'database_unavailable'));
    }
    if (status >= 400 && status < 500) return sendError(reply, new HttpError(400, 'bad_request', fastifyCode || 'bad_request'));
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: { code: 'internal', reason: 'internal_error' } });
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, new HttpError(404, 'not_found', 'no_such_route')));

  // versions and the token's presence on every /v1 route, without the database: each route
  // authenticates the token inside its own transaction (withDevice), so a request is one
  // transaction. Rate limiting runs after this hook, keyed by the token's hash.
  // An unknown path answers 404 first: a server address given with a path of its own (…/v1)
  // must read as "no such route", not as a missing token.
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/v1/') || request.is404) return;
    const versions = versionHeaders(request);
    checkVersions(versions.protocol, versions.schema);
    request.schemaVersion = versions.schema;
    if (request.routeOptions.config.auth === false) return;
    request.tokenHash = hashToken(bearer(request));
  });

  await app.register(rateLimit, {
    global: true,
    max: options.rateLimit.max,
    timeWindow: options.rateLimit.timeWindowMs,
    keyGenerator: (request) => (request.tokenHash ? `token:${request.tokenHash}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) => new HttpError(429, 'rate_limited', `retry_after_${Math.ceil(context.ttl / 1000)}s`),
  });

  app.get('/health', { config: { rateLimit: false } }, async () => ({
    ok: true,
    database: db.kind,
    schema: await schemaVersion(db),
    protocol: { min: MIN_PROTOCOL_VERSION, max: PROTOCOL_VERSION },
    stationSchema: { min: MIN_STATION_SCHEMA },
  }));

  registerSyncRoutes(app, options);
  const streams = await registerEvents(app, options);
  return { app, streams };
}
