import { AutoComplete, Input, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import type { ResponseOf } from '../../core/api/contract';
import { todayInChina } from '../../core/domain/common';
import { api } from '../api/client';
import { useI18n } from '../app/i18n/i18n-context';
import { gridLevelLabel, LEVEL_COLORS, withCode } from './labels';

export type GridHit = ResponseOf<'grid.search'>[number];

/** Retired on or before today; a later date is a planned retirement and the grid is still current. */
export const isRetired = (grid: { validTo: string | null }, today = todayInChina()): boolean => grid.validTo !== null && grid.validTo <= today;

/** Finds a grid anywhere in the street by name or code; debounced so typing stays smooth. */
export function GridSearch(props: {
  onPick: (hit: GridHit) => void;
  placeholder?: string;
  testId?: string;
  /** Where a retired grid cannot be used (assigning a role), it is shown but cannot be picked. */
  disableRetired?: boolean;
}) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<GridHit[]>([]);
  const today = todayInChina();
  useEffect(() => {
    const term = q.trim();
    if (!term) {
      setHits([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      api.grid
        .search({ q: term, limit: 20 })
        .then((r) => live && setHits(r))
        .catch(() => live && setHits([]));
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q]);
  return (
    <AutoComplete
      style={{ width: '100%' }}
      value={q}
      onChange={setQ}
      options={hits.map((h) => {
        const retired = isRetired(h, today);
        return {
          value: h.id,
          disabled: retired && props.disableRetired,
          label: (
            <div data-testid={`grid-hit-${h.code}`} data-retired={retired} style={{ lineHeight: 1.4, opacity: retired ? 0.65 : 1 }}>
              <Tag color={retired ? 'default' : LEVEL_COLORS[h.level]} style={{ marginInlineEnd: 4 }}>{gridLevelLabel(t, h.level)}</Tag>
              <span style={{ textDecoration: retired ? 'line-through' : undefined }}>{h.name}</span>
              {h.validTo !== null && (
                <Tag color={retired ? 'red' : 'orange'} bordered={false} style={{ marginInlineStart: 6 }}>
                  {t(retired ? 'grid.retiredOn' : 'grid.retiresOn', { date: h.validTo })}
                </Tag>
              )}
              <br />
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>{h.code}</Typography.Text>
            </div>
          ),
        };
      })}
      onSelect={(id: string) => {
        const hit = hits.find((h) => h.id === id);
        if (hit) {
          props.onPick(hit);
          setQ(withCode(t, hit.name, hit.code));
        }
      }}
    >
      <Input.Search allowClear placeholder={props.placeholder ?? t('grid.searchPlaceholder')} data-testid={props.testId ?? 'grid-search'} />
    </AutoComplete>
  );
}
