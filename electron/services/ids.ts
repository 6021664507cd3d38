import { v7 } from 'uuid';

/** Client-made, time-ordered ids (UUIDv7), so stations never need the server to name a row. */
export const newId = (): string => v7();
