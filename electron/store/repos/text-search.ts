// Name search is a LIKE scan. A station holds one street (a few thousand people, under a
// thousand grids), where a scan costs well under a millisecond; an FTS5 trigram index would
// make every insert, pull and bootstrap about five times slower (docs/performance.md).

export function escapeLike(q: string): string {
  return q.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `%term%` for a LIKE ... ESCAPE '\\' that matches the term anywhere, literally. */
export function containsPattern(term: string): string {
  return `%${escapeLike(term)}%`;
}
