import { Counter, Gauge, Registry } from 'prom-client';

/**
 * The relay's Prometheus metrics, in a registry of their own per app instance (not prom-client's
 * global one) so tests can run several relays in one process. Names are fixed by DESIGN.md §3.
 */
export class Metrics {
  /** Everything below; `/metrics` serialises it. */
  readonly registry = new Registry();

  /** SSE streams open right now. */
  readonly sseClients = new Gauge({ name: 'live_sse_clients', help: 'SSE streams currently open', registers: [this.registry] });

  /** Events accepted into the log by this relay (publish, webhooks, feeds). */
  readonly eventsPublished = new Counter({ name: 'live_events_published_total', help: 'Events appended to the log by this relay', registers: [this.registry] });

  /** Content frames written to SSE clients (one per event per client). */
  readonly eventsDelivered = new Counter({ name: 'live_events_delivered_total', help: 'Change frames written to SSE clients', registers: [this.registry] });

  /** Clients disconnected because their socket did not drain (send buffer over MAX_BUFFERED_BYTES). */
  readonly clientsEvicted = new Counter({ name: 'live_clients_evicted_total', help: 'SSE clients disconnected for not reading fast enough', registers: [this.registry] });

  /** `reset` events sent: a resume position that was expired or of another log epoch. */
  readonly replayResets = new Counter({ name: 'live_replay_resets_total', help: 'Reset events sent to SSE clients', registers: [this.registry] });

  /** Webhook deliveries refused, by reason (`auth`, `invalid`, ...). */
  readonly webhookRejected = new Counter({ name: 'live_webhook_rejected_total', help: 'Webhook deliveries rejected', labelNames: ['reason'] as const, registers: [this.registry] });

  /** Sequin messages whose TRANSFORMS function threw or returned a bad event, by table (the delivery was refused). */
  readonly transformErrors = new Counter({ name: 'live_transform_errors_total', help: 'Sequin messages whose transform threw or returned an invalid event', labelNames: ['table'] as const, registers: [this.registry] });

  /** Redis Pub/Sub bridge messages dropped, by reason (`not_json`, `too_large`, `invalid`, `unavailable`). */
  readonly bridgeRejected = new Counter({ name: 'live_bridge_rejected_total', help: 'Redis Pub/Sub bridge messages dropped instead of published', labelNames: ['reason'] as const, registers: [this.registry] });

  /** RSS polls that failed, by reason (`too_large`, `too_many_redirects`, `http_status`, `not_a_feed`, `network`, `bus`). */
  readonly rssPollFailures = new Counter({ name: 'live_rss_poll_failures_total', help: 'RSS feed polls that failed', labelNames: ['reason'] as const, registers: [this.registry] });

  /** 1 while the bus (Redis) is reachable, 0 during an outage: alert on it rather than on 503s. */
  readonly busReady = new Gauge({ name: 'live_bus_ready', help: 'Whether the event bus is reachable (1) or not (0)', registers: [this.registry] });

  /** Times the log was replaced under the relay (Redis flushed or restarted without its data). */
  readonly busEpochChanges = new Counter({ name: 'live_bus_epoch_changes_total', help: 'Times the event log was lost and every stream was reset', registers: [this.registry] });

  /** Connections refused by MAX_CLIENTS or MAX_CLIENTS_PER_IDENTITY. */
  readonly clientsRejected = new Counter({ name: 'live_clients_rejected_total', help: 'SSE connections refused by a client limit', labelNames: ['limit'] as const, registers: [this.registry] });

  /** Read requests (stream, snapshot, series) refused by subscriber authorization, by reason. */
  readonly readersRefused = new Counter({ name: 'live_readers_refused_total', help: 'Read requests refused for a missing, invalid or expired token, or selectors it does not cover', labelNames: ['reason'] as const, registers: [this.registry] });
}
