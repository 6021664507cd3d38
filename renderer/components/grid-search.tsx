import { AutoComplete, Input } from 'antd';
import { useEffect, useState } from 'react';
import type { ResponseOf } from '../../core/api/contract';
import { api } from '../api/client';
import { useI18n } from '../app/i18n/i18n-context';
import { gridLevelLabel } from './labels';

export type GridHit = ResponseOf<'grid.search'>[number];

/** Finds a grid anywhere in the street by name or code; debounced so typing stays smooth. */
export function GridSearch(props: { onPick: (hit: GridHit) => void; placeholder?: string; testId?: string }) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<GridHit[]>([]);
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
      options={hits.map((h) => ({ value: h.id, label: `${gridLevelLabel(t, h.level)} · ${h.name}（${h.code}）` }))}
      onSelect={(id: string) => {
        const hit = hits.find((h) => h.id === id);
        if (hit) {
          props.onPick(hit);
          setQ(`${hit.name}（${hit.code}）`);
        }
      }}
    >
      <Input.Search allowClear placeholder={props.placeholder ?? t('grid.searchPlaceholder')} data-testid={props.testId ?? 'grid-search'} />
    </AutoComplete>
  );
}
