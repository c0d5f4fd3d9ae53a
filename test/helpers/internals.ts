import type { Listeners } from '../../server/bus/listeners.js';
import type { MemoryBus } from '../../server/bus/memory-bus.js';
import type { RedisBus } from '../../server/bus/redis-bus.js';
import type { ClientHub } from '../../server/sse/hub.js';
import type { SseClient } from '../../server/sse/sse-client.js';

/*
 * What tests read of the relay's private state to prove it releases what it held (streams,
 * per-identity counts, bus listeners). Kept here so the production classes carry no member that
 * only tests use. The casts name private fields: renaming one breaks these helpers, not the relay.
 */

/** The streams a hub holds now. */
export function hubStreams(hub: ClientHub): SseClient[] {
  return [...(hub as unknown as { clients: Map<string, SseClient> }).clients.values()];
}

/** How many identities hold streams (a disconnect must release its entry). */
export function hubIdentityCount(hub: ClientHub): number {
  return (hub as unknown as { perIdentity: Map<string, number> }).perIdentity.size;
}

/** How many batch listeners a bus has (a disconnect must release its own). */
export function busListenerCount(bus: MemoryBus | RedisBus): number {
  return (bus as unknown as { listeners: Listeners<unknown[]> }).listeners.size;
}
