import type { Migration } from '../migrate';
import { initial } from './0001-initial';
import { sync } from './0002-sync';

/** Every migration, in order. A new one is appended here and gets its own test. */
export const migrations: readonly Migration[] = [initial, sync];
