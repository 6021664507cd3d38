import { commandUnits } from '../../core/sync/commands';
import { MAX_BATCH_BYTES, MAX_BATCH_MUTATIONS } from '../../core/sync/protocol';
import type { OutboxEntry } from './outbox';

// The size of the next push batch. It starts at the protocol's cap (1,000 mutations, 1 MiB of
// JSON before gzip: half that measured ~40% slower end to end, docs/performance.md), halves
// after a failed batch and on 413 (down to one mutation, which is how a poisoned mutation
// gets isolated), and doubles back after each success. Its smallest batch is one unit: a
// mutation, or all of one command's.

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

  /**
   * The longest prefix of `entries` within the count and byte caps that never cuts a command
   * (core/sync/commands.ts); never empty if entries are not: a first unit goes whole, whatever
   * the caps (a command is at most MAX_COMMAND_MUTATIONS).
   */
  take(entries: readonly OutboxEntry[]): OutboxEntry[] {
    const batch: OutboxEntry[] = [];
    let bytes = 0;
    for (const unit of commandUnits(entries, (e) => e.mutation.command?.id)) {
      const unitBytes = unit.reduce((sum, e) => sum + e.bytes, 0);
      if (batch.length > 0 && (batch.length + unit.length > this.limit || bytes + unitBytes > this.maxBytes)) break;
      batch.push(...unit);
      bytes += unitBytes;
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
