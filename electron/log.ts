import pino from 'pino';
import { maskPersonalText } from '../core/domain/identity';

// Structured logs, one named child per module. Every line passes through the masker, so a
// phone or resident ID number can never reach a log file unmasked, whoever logged it.
const root = pino({
  level: process.env.GRIDDESK_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
  base: undefined,
  redact: { paths: ['*.phone', '*.residentId', 'phone', 'residentId'], censor: '[masked]' },
  hooks: {
    streamWrite: (line) => maskPersonalText(line),
  },
});

export type Logger = pino.Logger;

export function createLogger(name: string): Logger {
  return root.child({ module: name });
}
