import type { LiveConnection } from '../core/live-connection.js';

/**
 * How `<live-source>` hands its connection to the elements inside it: the community context
 * protocol (https://github.com/webcomponents-cg/community-protocols/blob/main/proposals/context.md),
 * the `context-request` event that Lit's context package speaks, written out for the one value this
 * kit provides (that package's general controllers cost every page 0.4 kB gzip more). The key is
 * this string, so a page's own context consumer of `createContext('live-elements:connection')` gets
 * the same connection. Elements outside any `<live-source>` use the page default (the script
 * tag's `data-relay` or `configure()`).
 */
export const liveConnectionContext = 'live-elements:connection';

/** Told the connection, and again whenever it changes while subscribed; `unsubscribe` stops that. */
export type ConnectionCallback = (connection: LiveConnection | undefined, unsubscribe?: () => void) => void;

/** The protocol's request, dispatched by an element (`contextTarget`) for its nearest source's connection. */
export class ContextRequestEvent extends Event {
  constructor(
    readonly context: string,
    readonly contextTarget: Element,
    readonly callback: ConnectionCallback,
    readonly subscribe?: boolean,
  ) {
    super('context-request', { bubbles: true, composed: true });
  }
}

/**
 * The providing side, for `<live-source>`: answers the requests of the elements inside its host
 * and tells the subscribed ones each new connection. An element that moves reconnects and asks
 * again, so the nearest source always answers.
 */
export class ConnectionProvider {
  private value: LiveConnection | undefined;
  private readonly subscribers = new Map<ConnectionCallback, () => void>();

  constructor(host: HTMLElement) {
    host.addEventListener('context-request', (e) => {
      const request = e as unknown as ContextRequestEvent;
      if (request.context !== liveConnectionContext || request.contextTarget === host) return;
      e.stopPropagation();
      const { callback } = request;
      if (!request.subscribe) return callback(this.value);
      let unsubscribe = this.subscribers.get(callback);
      if (!unsubscribe) this.subscribers.set(callback, (unsubscribe = () => this.subscribers.delete(callback)));
      callback(this.value, unsubscribe);
    });
  }

  /** Provides `connection` (undefined: none) and tells every subscriber that it changed. */
  setValue(connection: LiveConnection | undefined): void {
    if (connection === this.value) return;
    this.value = connection;
    for (const [callback, unsubscribe] of this.subscribers) callback(connection, unsubscribe);
  }
}
