import type { Migration } from '../migrate';
import { initial } from './0001-initial';
import { noStreetFkOnHotTables } from './0002-no-street-fk-on-hot-tables';
import { hotRecordUpdates } from './0003-hot-record-updates';
import { recordGridRef } from './0004-record-grid-ref';
import { pullInOneCall } from './0005-pull-in-one-call';
import { pullMarksSeen } from './0006-pull-marks-seen';
import { rejectionWinner } from './0007-rejection-winner';

/** In version order; append, never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [initial, noStreetFkOnHotTables, hotRecordUpdates, recordGridRef, pullInOneCall, pullMarksSeen, rejectionWinner];
