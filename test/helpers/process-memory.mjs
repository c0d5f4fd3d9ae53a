// Plain JavaScript: the bench (plain node) reads its servers' memory here too.
import { readFileSync } from 'node:fs';

/** A process's resident memory in bytes (VmRSS) and its peak (VmHWM), from /proc. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (f) => Number(new RegExp(`^${f}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}
