import dayjs, { type Dayjs } from 'dayjs';
import { todayInChina } from '../../core/domain/common';

export const DATE_FORMAT = 'YYYY-MM-DD';
export const toIsoDate = (d: Dayjs): string => d.format(DATE_FORMAT);
export const fromIsoDate = (iso: string): Dayjs => dayjs(iso, DATE_FORMAT);
/** Default for date pickers: today as the center sees it (China time), not the machine zone. */
export const todayDayjs = (): Dayjs => fromIsoDate(todayInChina());
export const formatDateTime = (iso: string): string => dayjs(iso).format('YYYY-MM-DD HH:mm');
