import type { FastifyInstance, FastifyRequest } from 'fastify';
import { enrollRequest, MAX_BATCH_MUTATIONS, MIN_SNAPSHOT_PROTOCOL, pushRequest, recordsRequest, SNAPSHOT_CHECKSUM_HEADER } from '../../core/sync/protocol';
import { enroll, withDevice } from '../auth/devices';
import { applyPushIn, MutationNotHandled, PrevBatchNotApplied } from '../sync/apply';
import { MAX_PULL_LIMIT, pullAsDevice } from '../sync/pull';
import { streetRecords } from '../sync/records';
import { createSnapshot, snapshotChunk } from '../sync/snapshot';
import type { ResolvedOptions } from './app';
import { checkVersions, tokenHashOf } from './app';
import { badRequest, HttpError } from './errors';

// Every route but enroll runs in ONE transaction, authentication included (withDevice): the
// onRequest hook only checked that a token is there and hashed it. A pull, the most frequent
// request by far, is one database call (pullAsDevice).

function firstIssue(error: { issues: { path: PropertyKey[]; code: string }[] }): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join('.') || 'body'}:${issue.code}` : 'invalid';
}

const intParam = (value: unknown, name: string, min: number, max: number, fallback?: number): number => {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) throw badRequest(`${name}_invalid`);
  const n = Number(value);
  if (n < min || n > max) throw badRequest(`${name}_out_of_range`);
  return n;
};

export function registerSyncRoutes(app: FastifyInstance, options: ResolvedOptions): void {
  const { db } = options;

  app.post(
    '/v1/enroll',
    { config: { auth: false, rateLimit: { max: options.enrollRateLimit.max, timeWindow: options.enrollRateLimit.timeWindowMs } } },
    async (request) => {
      const parsed = enrollRequest.safeParse(request.body);
      if (!parsed.success) throw badRequest(`invalid_enroll:${firstIssue(parsed.error)}`);
      checkVersions(parsed.data.protocol, parsed.data.schemaVersion);
      const enrolled = await enroll(db, parsed.data.code, parsed.data.deviceName, parsed.data.schemaVersion);
      request.log.info({ deviceId: enrolled.deviceId, streetId: enrolled.scope.streetId }, 'device enrolled');
      return enrolled;
    },
  );

  app.post('/v1/push', async (request) => {
    const tokenHash = tokenHashOf(request);
    // The body is checked before the transaction starts, so no connection waits on zod; a
    // malformed body is therefore 400 even from a token that would have been refused (401).
    const parsed = pushRequest.safeParse(request.body);
    if (!parsed.success) throw badRequest(`invalid_push:${firstIssue(parsed.error)}`);
    checkVersions(parsed.data.protocol, parsed.data.schemaVersion);
    const mutations = parsed.data.mutations;
    if (mutations.length > MAX_BATCH_MUTATIONS) throw badRequest('too_many_mutations');
    for (let i = 1; i < mutations.length; i++) {
      if (mutations[i]!.mid <= mutations[i - 1]!.mid) throw badRequest('mids_not_increasing');
    }
    if (parsed.data.prevMid !== undefined && parsed.data.prevMid >= mutations[0]!.mid) throw badRequest('prev_mid_not_before_batch');
    // a question about the past follows no batch
    if (parsed.data.prevMid !== undefined && parsed.data.outcomesOnly) throw badRequest('prev_mid_with_outcomes_only');
    const { device, result } = await withDevice(db, tokenHash, { statementTimeoutMs: options.pushTimeoutMs }, async (tx, device) => ({
      device,
      result: await applyPushIn(tx, { id: device.id, streetId: device.streetId, streetCode: device.streetCode }, parsed.data, {
        schemaVersion: parsed.data.schemaVersion,
        onFallback: (reason) => request.log.warn({ deviceId: device.id, reason }, 'push batch fell back to one mutation at a time'),
      }),
    })).catch((error: unknown) => {
      // the transaction rolled back: nothing of the batch is applied, and the station resends from its first unacked mid
      if (error instanceof PrevBatchNotApplied) {
        request.log.info({ prevMid: error.prevMid, lastMid: error.lastMid }, 'pipelined push refused: the batch before it is not applied');
        throw new HttpError(409, 'out_of_order', 'prev_batch_not_applied');
      }
      if (error instanceof MutationNotHandled) throw new HttpError(409, 'not_handled', 'mutation_not_handled');
      throw error;
    });
    request.log.info(
      { deviceId: device.id, mutations: mutations.length, ackedThrough: result.ackedThrough, rejected: result.rejected.length, seq: result.seq },
      parsed.data.outcomesOnly ? 'push outcomes reported' : 'push applied',
    );
    return result;
  });

  app.get('/v1/pull', async (request) => {
    const query = request.query as Record<string, unknown>;
    const tokenHash = tokenHashOf(request);
    let after: number;
    let limit: number;
    try {
      after = intParam(query.after, 'after', 0, Number.MAX_SAFE_INTEGER, 0);
      limit = intParam(query.limit, 'limit', 1, MAX_PULL_LIMIT, 1000);
    } catch (error) {
      // a bad token is 401 whatever the query says: authenticate before answering 400
      await withDevice(db, tokenHash, {}, async () => undefined);
      throw error;
    }
    return pullAsDevice(db, tokenHash, after, limit, options.pullTimeoutMs);
  });

  app.post('/v1/records', async (request) => {
    const parsed = recordsRequest.safeParse(request.body);
    if (!parsed.success) throw badRequest(`invalid_records:${firstIssue(parsed.error)}`);
    checkVersions(parsed.data.protocol, parsed.data.schemaVersion);
    const records = await withDevice(db, tokenHashOf(request), { statementTimeoutMs: options.pullTimeoutMs }, (tx, device) =>
      streetRecords(tx, device.streetId, parsed.data.records),
    );
    return { records };
  });

  // a station older than MIN_SNAPSHOT_PROTOCOL expects the checksum inside the chunk: it must update to bootstrap
  const snapshotProtocol = (request: FastifyRequest): void => {
    if (Number(request.headers['x-griddesk-protocol']) < MIN_SNAPSHOT_PROTOCOL) {
      throw new HttpError(426, 'client_too_old', 'protocol_too_old', { minProtocol: MIN_SNAPSHOT_PROTOCOL });
    }
  };

  app.post('/v1/snapshot', async (request) => {
    snapshotProtocol(request);
    return withDevice(db, tokenHashOf(request), { statementTimeoutMs: options.chunkTimeoutMs }, (tx, device) =>
      createSnapshot(tx, device, { chunkSize: options.snapshotChunkSize }),
    );
  });

  app.get('/v1/snapshot/:id/:index', async (request, reply) => {
    snapshotProtocol(request);
    const params = request.params as { id: string; index: string };
    const chunk = await withDevice(db, tokenHashOf(request), { statementTimeoutMs: options.chunkTimeoutMs }, (tx, device) => {
      if (!/^[0-9a-f-]{36}$/.test(params.id)) throw new HttpError(404, 'not_found', 'snapshot.not_found');
      return snapshotChunk(tx, device.streetId, params.id, intParam(params.index, 'index', 0, 10_000_000));
    });
    // the body is sent as the bytes the checksum covers
    return reply.header('content-type', 'application/json; charset=utf-8').header(SNAPSHOT_CHECKSUM_HEADER, chunk.checksum).send(chunk.body);
  });
}
