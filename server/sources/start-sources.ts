import { Redis } from 'ioredis';
import type { RelayContext } from '../context.js';
import { busPublisher } from './publisher.js';
import { RedisLease } from './redis-lease.js';
import { startRssPoller } from './rss-poller.js';
import { startSimulator } from './simulator.js';

/**
 * Starts the feeds the configuration asks for (the simulator with SIMULATE, the RSS poller with
 * RSS_FEEDS) and registers their stop with the relay's shutdown. Returns what it started, for the
 * start banner.
 */
export function startSources(ctx: RelayContext): string[] {
  const { config, bus, log, metrics } = ctx;
  const publish = busPublisher(bus, metrics.eventsPublished);
  const started: string[] = [];
  if (config.SIMULATE) {
    if (config.REDIS_URL) {
      // Relays sharing one Redis share one simulator: the lease holder publishes, the others wait.
      const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, connectionName: 'live-elements:simulator-lease' });
      redis.on('error', () => {
        // The lease is simply not held while Redis is away; the bus reports the outage.
      });
      const lease = new RedisLease(redis, `${config.REDIS_PREFIX}simulator:lease`);
      void lease.start();
      const sim = startSimulator({ publish, log: log.child({ source: 'simulator' }), series: ctx.series.store, leader: () => lease.held() });
      ctx.onClose(async () => {
        await sim.stop();
        await lease.stop();
        await redis.quit().catch(() => redis.disconnect());
      });
      started.push('simulator on whichever relay holds the Redis lease (prices, leagues, services, rss/demo)');
    } else {
      const sim = startSimulator({ publish, log: log.child({ source: 'simulator' }), series: ctx.series.store });
      ctx.onClose(() => sim.stop());
      started.push('simulator (prices, leagues, services, rss/demo)');
    }
  }
  if (config.RSS_FEEDS.length) {
    const poller = startRssPoller({
      feeds: config.RSS_FEEDS,
      pollMs: config.RSS_POLL_MS,
      maxBytes: config.RSS_MAX_BYTES,
      maxItems: config.RSS_MAX_ITEMS,
      maxRedirects: config.RSS_MAX_REDIRECTS,
      bus,
      publish,
      log: log.child({ source: 'rss' }),
      metrics,
    });
    ctx.onClose(() => poller.stop());
    started.push(`rss poller (${config.RSS_FEEDS.length} feed${config.RSS_FEEDS.length === 1 ? '' : 's'} every ${config.RSS_POLL_MS} ms)`);
  }
  return started;
}
