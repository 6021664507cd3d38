import pino from 'pino';
import { maskPersonalText } from '../core/domain/identity';

// Structured logs like electron/log.ts: every line passes through the masker, so a phone or
// resident ID number never reaches a log unmasked, whoever logged it.
export function createServerLogger(
  level = process.env.GRIDDESK_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
  destination?: pino.DestinationStream,
): pino.Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'griddesk-server' },
    redact: { paths: ['*.phone', '*.residentId', 'phone', 'residentId', 'req.headers.authorization'], censor: '[masked]' },
    hooks: { streamWrite: (line) => maskPersonalText(line) },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type ServerLogger = pino.Logger;
