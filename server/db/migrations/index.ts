import type { Migration } from '../migrate';
import { initial } from './0001-initial';

/** In version order; append, never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [initial];
