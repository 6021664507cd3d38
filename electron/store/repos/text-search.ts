// The trigram tokenizer finds substrings of three or more characters — Chinese names
// included — through the index; shorter terms fall back to LIKE (see TOOLCHAIN.md).

/** Quotes a user's term as one FTS5 phrase, so operators in it are plain text. */
export function ftsPhrase(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

export function escapeLike(q: string): string {
  return q.replace(/[\\%_]/g, (c) => `\\${c}`);
}
