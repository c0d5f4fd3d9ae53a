import { Redis } from 'ioredis';
import type { RelayContext } from '../context.js';
import { parseBridgeMapping, type BridgeMapping } from './bridge-messages.js';
import { busPublisher } from './publisher.js';
import { eventLimits } from '../event-limits.js';
import { startPubSubBridge } from './pubsub-bridge.js';
import { RedisLease } from './redis-lease.js';
import { startRssPoller } from './rss-poller.js';
import { startSimulator } from './simulator.js';

/**
 * Starts the feeds the configuration asks for (the simulator with SIMULATE, the RSS poller with
 * RSS_FEEDS, the Redis Pub/Sub bridge with PUBSUB_BRIDGE) and registers their stop with the relay's shutdown. Returns what it started, for the
 * start banner.
 */
export function startSources(ctx: RelayContext): string[] {
  const { config, bus, log, metrics } = ctx;
  const publish = busPublisher(bus, metrics.eventsPublished);
  const started: string[] = [];
  if (config.SIMULATE) {
    if (config.REDIS_URL) {
      // Relays sharing one Redis share one simulator: the lease holder publishes, the others wait.
      const { lease, stop } = startLease(config.REDIS_URL, `${config.REDIS_PREFIX}simulator:lease`, 'simulator-lease');
      const sim = startSimulator({ publish, log: log.child({ source: 'simulator' }), series: ctx.series.store, leader: () => lease.held() });
      ctx.onClose(async () => {
        await sim.stop();
        await stop();
      });
      started.push('simulator on whichever relay holds the Redis lease (prices, trades, games, leagues, services, rss/demo)');
    } else {
      const sim = startSimulator({ publish, log: log.child({ source: 'simulator' }), series: ctx.series.store });
      ctx.onClose(() => sim.stop());
      started.push('simulator (prices, trades, games, leagues, services, rss/demo)');
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
  if (config.PUBSUB_BRIDGE.length) {
    if (bus.kind !== 'redis' || !config.REDIS_URL) {
      throw new Error('PUBSUB_BRIDGE needs the Redis bus: set REDIS_URL to the Redis your workers PUBLISH on, or unset PUBSUB_BRIDGE');
    }
    const mappings = config.PUBSUB_BRIDGE.map((e) => parseBridgeMapping(e, config.PUBSUB_BRIDGE_FIELD ?? null) as BridgeMapping);
    // Every relay subscribes; the one holding the lease publishes, so each message is published once.
    const { lease, stop } = startLease(config.REDIS_URL, `${config.REDIS_PREFIX}pubsub-bridge:lease`, 'pubsub-bridge-lease');
    const bridge = startPubSubBridge({
      redisUrl: config.REDIS_URL,
      mappings,
      publish,
      maxBytes: config.MAX_BODY_BYTES,
      limits: eventLimits(config),
      rejected: metrics.bridgeRejected,
      log: log.child({ source: 'pubsub-bridge' }),
      leader: () => lease.held(),
    });
    ctx.onClose(async () => {
      await bridge.stop();
      await stop();
    });
    started.push(`pubsub bridge on whichever relay holds the Redis lease (${mappings.map((m) => `${m.pattern} → ${m.topic}${m.field ? ` (.${m.field})` : ''}`).join(', ')})`);
  }
  return started;
}

/** A {@link RedisLease} on its own connection, started, and how to give it up and close it. */
function startLease(url: string, key: string, name: string): { lease: RedisLease; stop: () => Promise<void> } {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, connectionName: `live-elements:${name}` });
  redis.on('error', () => {
    // The lease is simply not held while Redis is away; the bus reports the outage.
  });
  const lease = new RedisLease(redis, key);
  void lease.start();
  return {
    lease,
    async stop() {
      await lease.stop();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
