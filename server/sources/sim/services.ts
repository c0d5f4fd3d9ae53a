import { pick, randomInt, type Random } from './random.js';

export type ServiceStatus = 'idle' | 'running' | 'completed' | 'failed' | 'degraded';

/** The value of a `services` key. */
export interface ServiceValue {
  name: string;
  status: ServiceStatus;
  /** 0–100, while running and after. */
  progress?: number;
  queued?: number;
  processed?: number;
  message?: string;
  updatedAt: string;
}

const SERVICES: ReadonlyArray<{ id: string; name: string }> = [
  { id: 'ingest', name: 'Ingest pipeline' },
  { id: 'billing', name: 'Billing run' },
  { id: 'search-index', name: 'Search indexer' },
  { id: 'reports', name: 'Nightly reports' },
  { id: 'mailer', name: 'Mailer' },
];

const FAILURES = ['upstream API answered 502 three times', 'disk quota exceeded on worker 2', 'schema check failed on batch 17'];
const DEGRADED = ['finished with 3 retried batches', 'slow upstream: throughput at 40%', 'finished; 12 records skipped as invalid'];

interface Service {
  name: string;
  status: ServiceStatus;
  progress: number;
  queued: number;
  processed: number;
  message: string | undefined;
  /** Ticks left before a finished service goes back to idle. */
  rest: number;
}

/**
 * Five background services moving idle → running (progress, queue and processed counts) →
 * completed, or now and then failed or degraded with a message → idle again.
 */
export class ServiceBoard {
  private readonly services = new Map<string, Service>();

  constructor(private readonly random: Random) {
    for (const s of SERVICES) {
      this.services.set(s.id, { name: s.name, status: 'idle', progress: 0, queued: 0, processed: 0, message: undefined, rest: 0 });
    }
  }

  /** The service ids. */
  get ids(): string[] {
    return [...this.services.keys()];
  }

  /** A service's value now. */
  value(id: string, nowMs: number): ServiceValue {
    const s = this.services.get(id);
    if (!s) throw new RangeError(`ServiceBoard: no service "${id}"; services are ${this.ids.join(', ')}`);
    const v: ServiceValue = { name: s.name, status: s.status, updatedAt: new Date(nowMs).toISOString() };
    if (s.status !== 'idle') Object.assign(v, { progress: s.progress, queued: s.queued, processed: s.processed });
    if (s.message) v.message = s.message;
    return v;
  }

  /** Advances every service one step; returns the ids that changed. */
  tick(): string[] {
    const changed: string[] = [];
    for (const [id, s] of this.services) {
      if (this.advance(s)) changed.push(id);
    }
    // Keep the board moving: when everything rests, start one.
    if (changed.length === 0) {
      const id = pick(this.random, this.ids);
      this.start(this.services.get(id)!);
      changed.push(id);
    }
    return changed;
  }

  private advance(s: Service): boolean {
    switch (s.status) {
      case 'idle':
        if (this.random() < 0.25) {
          this.start(s);
          return true;
        }
        return false;
      case 'running': {
        const step = Math.min(s.queued, randomInt(this.random, Math.ceil(s.queued / 8), Math.ceil(s.queued / 3)));
        s.queued -= step;
        s.processed += step;
        s.progress = Math.round((100 * s.processed) / (s.processed + s.queued));
        if (s.queued === 0) this.finish(s);
        return true;
      }
      default:
        if (--s.rest <= 0) {
          Object.assign(s, { status: 'idle', progress: 0, queued: 0, processed: 0, message: undefined });
          return true;
        }
        return false;
    }
  }

  private start(s: Service): void {
    Object.assign(s, { status: 'running', progress: 0, queued: randomInt(this.random, 200, 5000), processed: 0, message: undefined });
  }

  private finish(s: Service): void {
    const r = this.random();
    s.rest = randomInt(this.random, 2, 5);
    if (r < 0.1) {
      s.status = 'failed';
      s.message = pick(this.random, FAILURES);
    } else if (r < 0.2) {
      s.status = 'degraded';
      s.message = pick(this.random, DEGRADED);
    } else {
      s.status = 'completed';
      s.message = `processed ${s.processed} items`;
    }
  }
}
