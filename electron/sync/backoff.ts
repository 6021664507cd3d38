// Retry delays: exponential with full jitter (a random delay between 0 and the exponential
// bound), so stations that lost the network together do not come back in lockstep.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, capMs: 60_000 };

export function backoffDelay(policy: BackoffPolicy, failures: number, random: () => number = Math.random): number {
  const bound = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(failures, 30));
  return Math.floor(random() * bound);
}
