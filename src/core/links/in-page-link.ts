import { StreamHub } from '../stream-hub.js';
import type { Deliver, HubLink, LinkOptions } from './link.js';

/** The stream lives in this page: used where neither a SharedWorker nor Web Locks are available. */
export function openInPageLink(options: LinkOptions, deliver: Deliver): HubLink {
  const hub = new StreamHub({ relay: options.relay, token: options.tokens, heartbeatMs: options.heartbeatMs });
  const attachment = hub.attach({ deliver });
  return {
    mode: 'page',
    subscribe: (s) => attachment.subscribe(s),
    unsubscribe: (s) => attachment.unsubscribe(s),
    close: () => {
      attachment.detach();
      hub.close();
    },
  };
}
