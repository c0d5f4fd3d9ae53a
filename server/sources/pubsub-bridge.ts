import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { EventLimits } from '../event-limits.js';
import type { Publish } from './publisher.js';
import { bridgeMessageToInput, mappingFor, type BridgeMapping, type BridgeRejectReason } from './bridge-messages.js';

export interface PubSubBridgeOptions {
  /** The Redis the workers PUBLISH on (the bus's). */
  redisUrl: string;
  mappings: readonly BridgeMapping[];
  publish: Publish;
  /** Largest message accepted, in bytes (MAX_BODY_BYTES, as for a publish). */
  maxBytes: number;
  /** The value limits every door into the log applies (depth, bytes). */
  limits: EventLimits;
  /** `live_bridge_rejected_total{reason}`. */
  rejected: Counter<'reason'>;
  log: Logger;
  /**
   * Whether this relay publishes what it hears now (default: always). With several relays on one
   * Redis every one subscribes and the holder of a lease publishes, so each message goes out once.
   */
  leader?: () => boolean;
}

export interface PubSubBridge {
  /** Resolves once the PSUBSCRIBE is acknowledged. */
  readonly ready: Promise<void>;
  /** Unsubscribes, waits for the messages in hand to be published, and closes its connection. */
  stop(): Promise<void>;
}

/** How many channels' first bad message is remembered, so the log stays bounded. */
const LOGGED_CHANNELS = 1000;

/**
 * The Redis Pub/Sub bridge (`PUBSUB_BRIDGE`): PSUBSCRIBEs to each mapping's channel pattern and
 * publishes every message as an event of the mapping's topic, keyed by what the pattern's `*`
 * matched, in the order received. A message that is not JSON, too large or not a valid event is
 * counted in `live_bridge_rejected_total{reason}`, logged once per channel, and dropped.
 */
export function startPubSubBridge(options: PubSubBridgeOptions): PubSubBridge {
  const { mappings, publish, log, rejected } = options;
  const leader = options.leader ?? (() => true);
  const sub = new Redis(options.redisUrl, { connectionName: 'live-elements:pubsub-bridge', maxRetriesPerRequest: null });
  sub.on('error', () => {
    // ioredis reconnects and resubscribes by itself; the bus reports the outage.
  });
  const loggedChannels = new Set<string>();
  let failing = false;
  let queue: Promise<void> = Promise.resolve();

  const reject = (channel: string, reason: BridgeRejectReason, message: string) => {
    rejected.inc({ reason });
    if (loggedChannels.has(channel) || loggedChannels.size >= LOGGED_CHANNELS) return;
    loggedChannels.add(channel);
    log.warn({ channel, reason }, `pubsub bridge: dropped a message on ${channel}: ${message} (further bad messages on this channel are only counted, in live_bridge_rejected_total)`);
  };

  sub.on('pmessage', (pattern: string, channel: string, message: string) => {
    if (!leader()) return;
    const mapping = mappingFor(mappings, pattern);
    if (!mapping) return;
    const input = bridgeMessageToInput(mapping, channel, message, options.maxBytes, options.limits);
    if ('reason' in input) return reject(channel, input.reason, input.message);
    // One at a time, so a channel's messages reach the log in the order they were published.
    queue = queue.then(() =>
      publish([input]).then(
        () => {
          if (failing) log.info('pubsub bridge: publishing again');
          failing = false;
        },
        (err: Error) => {
          rejected.inc({ reason: 'unavailable' });
          if (!failing) log.warn({ err: err.message }, 'pubsub bridge: the bus refused a message (dropped; Pub/Sub has no replay)');
          failing = true;
        },
      ),
    );
  });

  const ready = sub.psubscribe(...mappings.map((m) => m.pattern)).then(() => undefined);
  ready.catch((err: Error) => log.error({ err: err.message }, 'pubsub bridge: PSUBSCRIBE failed'));
  return {
    ready,
    async stop() {
      await sub.punsubscribe().catch(() => undefined);
      await queue;
      await sub.quit().catch(() => sub.disconnect());
    },
  };
}
