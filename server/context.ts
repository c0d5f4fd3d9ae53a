import { pino, type Logger } from 'pino';
import { LOG_REDACTION } from './auth/log-redaction.js';
import { SubscriberAuth } from './auth/subscriber-auth.js';
import type { Bus } from './bus/bus.js';
import type { Config } from './config.js';
import { Metrics } from './metrics.js';
import { createSeries } from './series/create-series.js';
import type { SeriesService } from './series/series-service.js';
import { ClientHub } from './sse/hub.js';

/** Everything a route needs, made once per relay instance (tests run several in one process). */
export interface RelayContext {
  readonly config: Config;
  readonly bus: Bus;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Verifies subscriber tokens and decides what a reader may read (the stream, snapshots, series). */
  readonly subscriberAuth: SubscriberAuth;
  /** The open SSE streams and the fan-out to them. */
  readonly clients: ClientHub;
  /** Time series for charts (SERIES_TOPICS), recorded from the bus while the relay runs. */
  readonly series: SeriesService;
  /**
   * Registers work to stop when the relay closes (pollers, simulators, timers), run in reverse
   * order of registration before the bus is closed.
   */
  onClose(stop: () => void | Promise<void>): void;
  /** Ends every stream (`event: timeout`, reason shutdown), runs the onClose hooks, closes the bus. */
  close(): Promise<void>;
}

/** Wires a relay's parts together around a bus the caller made (see `createBus`). */
export function createContext(config: Config, bus: Bus, log: Logger = pino({ level: config.LOG_LEVEL, redact: LOG_REDACTION })): RelayContext {
  const metrics = new Metrics();
  const clients = new ClientHub(bus, config, metrics, log);
  const stops: Array<() => void | Promise<void>> = [];
  metrics.busReady.set(bus.isReady() ? 1 : 0);
  stops.push(bus.onReadyChange((ready) => metrics.busReady.set(ready ? 1 : 0)));
  stops.push(bus.onEpochChange(() => metrics.busEpochChanges.inc()));
  const series = createSeries(config, bus, log);
  series.start();
  stops.push(() => series.close());
  let closing: Promise<void> | null = null;
  return {
    config,
    bus,
    metrics,
    log,
    subscriberAuth: new SubscriberAuth(config),
    clients,
    series,
    onClose(stop) {
      stops.push(stop);
    },
    close() {
      closing ??= (async () => {
        clients.close();
        for (const stop of stops.reverse()) {
          try {
            await stop();
          } catch (err) {
            log.error({ err }, 'a shutdown hook failed');
          }
        }
        await bus.close();
      })();
      return closing;
    },
  };
}
