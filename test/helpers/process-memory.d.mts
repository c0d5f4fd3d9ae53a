/** A process's resident memory in bytes (VmRSS) and its peak (VmHWM), from /proc. */
export function memoryOf(pid: number): { rss: number; peak: number };
