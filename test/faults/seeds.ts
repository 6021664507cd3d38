// The fixed seeds of the CI part (npm test). `npm run test:faults -- --runs N` draws seeds
// from 1,000,000 up, so it never repeats these.

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

/**
 * PGlite, one in-process server; plus seeds `--runs` once found broken, kept as regressions
 * (1323422819: a refused resident-ID edit whose value a pulled record had taken; 252035442: the
 * other street's station left a quarantine unreviewed; 1811887545: accepting the refusal of an
 * insert dropped a row a later re-sent insert had put on the server; 1701996064: a rejection whose
 * reply was lost showed as a 'too large' quarantine after the resend alone drew a 413;
 * 1635271687: a quarantined resident-ID edit whose value a pulled person had taken meanwhile
 * could only be given up, and the review kept retrying it; 521440928: accepting the refusal of a
 * resident-ID edit, given up locally to a pulled person, after another station's phone edit of
 * the same person left the resident ID empty; 37790033: the question about a lone mutation drew a 413
 * too, and the station quarantined a mutation the server had rejected).
 */
export const FIXED_SEEDS = [...range(1, 200), 1323422819, 252035442, 1811887545, 1701996064, 1635271687, 521440928, 37790033];

/** Real PostgreSQL, two server instances on one database behind a round-robin balancer. */
export const PG_SEEDS = range(5001, 20);

/** The `grids` mix (test/faults/model.ts): stations racing over grid moves and retirements, which travel as commands. */
export const GRID_SEEDS = range(7001, 40);
export const PG_GRID_SEEDS = range(8001, 10);

/** The `edits` mix: stations editing the same few records, so conflicts are reviewed under faults. */
export const EDIT_SEEDS = range(9001, 60);
export const PG_EDIT_SEEDS = range(9501, 10);
