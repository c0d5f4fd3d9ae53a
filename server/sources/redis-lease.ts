import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Takes the lease when free, or extends it when this owner holds it; returns 1 when held. */
const TAKE_OR_RENEW = `
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * A lease in Redis that one process at a time holds, so a job that must run once (the demo
 * simulator) runs on one relay of many. The holder renews it every third of its TTL; when the
 * holder dies, another takes it within one TTL. While Redis is unreachable nobody holds it.
 */
export class RedisLease {
  private readonly owner = randomUUID();
  private holding = false;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ttlMs = 5000,
  ) {}

  /** True while this process holds the lease (as of the last renewal). */
  held(): boolean {
    return this.holding;
  }

  /** Tries at once, then keeps trying/renewing. Resolves after the first try. */
  start(): Promise<void> {
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), Math.max(100, Math.floor(this.ttlMs / 3)));
    }
    return this.tick();
  }

  /** Stops renewing and gives the lease up, so another relay takes over at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
    this.holding = false;
    // Conditional on the owner, so it never frees a lease another relay holds.
    await this.redis.eval(RELEASE, 1, this.key, this.owner).catch(() => undefined);
  }

  private tick(): Promise<void> {
    this.inFlight = this.redis.eval(TAKE_OR_RENEW, 1, this.key, this.owner, String(this.ttlMs)).then(
      (r) => {
        this.holding = r === 1 && this.timer !== null;
      },
      () => {
        this.holding = false;
      },
    );
    return this.inFlight;
  }
}
