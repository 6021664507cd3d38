import type { Migration } from '../migrate';
import { initial } from './0001-initial';
import { sync } from './0002-sync';
import { snapshotInPlace } from './0003-snapshot-in-place';
import { refusedUpdateVersion } from './0004-refused-update-version';
import { commands } from './0005-commands';
import { conflictCommand } from './0006-conflict-command';
import { editBase } from './0007-edit-base';

/** Every migration, in order. A new one is appended here and gets its own test. */
export const migrations: readonly Migration[] = [initial, sync, snapshotInPlace, refusedUpdateVersion, commands, conflictCommand, editBase];
