// Imported first by bench/run.ts: the station and server loggers read their level when their
// modules load, and a bench table drowned in info lines is unreadable.
process.env.GRIDDESK_LOG_LEVEL ??= 'warn';
