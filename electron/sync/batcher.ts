import { MAX_BATCH_BYTES, MAX_BATCH_MUTATIONS } from '../../core/sync/protocol';
import type { OutboxEntry } from './outbox';

// The size of the next push batch. It starts at the protocol's cap (1,000 mutations, 1 MiB of
// JSON before gzip: half that measured ~40% slower end to end, docs/performance.md), halves
// after a failed batch and on 413 (down to one mutation, which is how a poisoned mutation
// gets isolated), and doubles back after each success.

export const START_BATCH = MAX_BATCH_MUTATIONS;

export class Batcher {
  private limit: number;

  constructor(
    private readonly start = START_BATCH,
    private readonly maxBytes = MAX_BATCH_BYTES,
  ) {
    this.limit = Math.min(start, MAX_BATCH_MUTATIONS);
  }

  get size(): number {
    return this.limit;
  }

  /** The longest prefix of `entries` within the count and byte caps; never empty if entries are not. */
  take(entries: readonly OutboxEntry[]): OutboxEntry[] {
    const batch: OutboxEntry[] = [];
    let bytes = 0;
    for (const e of entries) {
      if (batch.length >= this.limit) break;
      if (batch.length > 0 && bytes + e.bytes > this.maxBytes) break;
      batch.push(e);
      bytes += e.bytes;
    }
    return batch;
  }

  shrink(sent: number): void {
    this.limit = Math.max(1, Math.floor(Math.min(this.limit, sent) / 2));
  }

  grow(): void {
    this.limit = Math.min(this.start, this.limit * 2);
  }
}
