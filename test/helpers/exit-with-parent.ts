// Preloaded (node --import) into the server processes the fault tests start. Their IPC channel
// to the test process closes however that process ends — a failed hook, a vitest timeout,
// SIGKILL — and a server must not live on as an orphan holding its port and database.
process.once('disconnect', () => process.exit(1));
