import type { Migration } from '../migrate';
import { initial } from './0001-initial';

/** Every migration, in order. A new one is appended here and gets its own test. */
export const migrations: readonly Migration[] = [initial];
