/** The p-th percentile (0..100) of `sorted` (ascending), by nearest rank; NaN when it is empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number;
