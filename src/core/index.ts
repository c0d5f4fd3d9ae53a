/**
 * The browser kit's core, without Lit: the shared connection to the relay, topic sync and the
 * wire format. Elements use it through `LiveTopicController`; pages may use it directly.
 */
export { configure, currentConfig, getConnection } from './configure.js';
export { LiveConnection } from './live-connection.js';
export { StreamHub, covers } from './stream-hub.js';
export { SseStream } from './sse-stream.js';
export { TopicSync } from './topic-sync.js';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
export { IDLE_STATUS } from './status.js';
export { hubName } from './links/link.js';
export { identityOf, TokenKeeper } from './token.js';
export * from './wire.js';

export type { LiveConfig } from './configure.js';
export type { ConnectionOptions, LiveSubscription, SubscriptionListener } from './live-connection.js';
export type { ConnectionState, ConnectionStatus, LiveError } from './status.js';
export type { SyncBatch, SyncPhase } from './topic-sync.js';
export type { HubMessage, PageMessage, HubClient } from './hub-protocol.js';
export type { StreamHubOptions, HubAttachment } from './stream-hub.js';
export type { SseStreamOptions, SseStreamHandlers } from './sse-stream.js';
export type { BackoffOptions } from './backoff.js';
export type { LinkOptions } from './links/link.js';
export type { TokenFunction, TokenOption } from './token.js';
