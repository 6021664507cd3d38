import { gunzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { badRequest, HttpError, tooLarge } from './errors';

// Request bodies: JSON, optionally `Content-Encoding: gzip`. We decompress ourselves, with a cap
// on the DECODED size (a 1 KiB gzip bomb must not become a gigabyte), and answer 413 when the
// decoded body is larger than `maxDecodedBytes`.

function gunzipCapped(buffer: Buffer, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gunzip(buffer, { maxOutputLength: max + 1 }, (error, result) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        reject(code === 'ERR_BUFFER_TOO_LARGE' ? tooLarge() : badRequest('bad_gzip'));
      } else if (result.length > max) reject(tooLarge());
      else resolve(result);
    });
  });
}

export function installBodyParser(app: FastifyInstance, maxDecodedBytes: number): void {
  app.removeAllContentTypeParsers();
  // raw limit: a gzip of incompressible data is a little larger than the data itself
  const rawLimit = maxDecodedBytes + 64 * 1024;
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: rawLimit }, (request, body, done) => {
    void (async () => {
      const raw = body as Buffer;
      const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
      let decoded: Buffer;
      if (encoding === 'gzip' || encoding === 'x-gzip') decoded = await gunzipCapped(raw, maxDecodedBytes);
      else if (encoding === 'identity' || encoding === '') decoded = raw;
      else throw badRequest('unsupported_content_encoding');
      if (decoded.length > maxDecodedBytes) throw tooLarge();
      if (decoded.length === 0) return undefined;
      try {
        return JSON.parse(decoded.toString('utf8')) as unknown;
      } catch {
        throw badRequest('invalid_json');
      }
    })().then(
      (value) => done(null, value),
      (error: unknown) => done(error instanceof HttpError ? error : badRequest('unreadable_body')),
    );
  });
}
