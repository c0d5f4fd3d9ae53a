import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { parseId } from '../../src/core/wire.js';
import type { Envelope, Selector, TopicSnapshot } from '../../src/core/wire.js';
import { hideUrlCredentials } from '../auth/log-redaction.js';
import { BusUnavailableError } from './bus.js';
import type { AppendInput, AppendResult, Bus, BusListener, BusOptions, ReadSinceResult } from './bus.js';
import { appendArgs, entryToEnvelope, type StreamEntry } from './redis-codec.js';
import { itemsObject } from './items-object.js';
import { Listeners } from './listeners.js';
import { APPEND, READ_SINCE, SNAPSHOT, runScript, type LuaScript } from './redis-scripts.js';
import { StreamTail } from './redis-tail.js';

/** What the Redis bus logs: a pino logger fits. */
export interface RedisBusLog {
  info(msg: string): void;
  warn(msg: string): void;
}

/** Options of {@link RedisBus}: the common bus options plus where Redis is. */
export interface RedisBusOptions extends BusOptions {
  /** `redis://` or `rediss://` URL. */
  url: string;
  /** Prefix of every key the bus uses (`REDIS_PREFIX`), so several deployments can share one Redis. */
  prefix?: string;
  log?: RedisBusLog;
  /** How long {@link RedisBus.connect} waits for Redis before returning a bus that is not ready yet. */
  startTimeoutMs?: number;
}

/**
 * The bus for any number of relays on one Redis. The log is a Redis Stream and each topic's state
 * a hash, both written by one Lua script per append; each process tails the stream on its own
 * connection (blocking XREAD) and hands every event to its subscribers in id order.
 *
 * While Redis is unreachable the bus is not ready, calls reject at once with
 * {@link BusUnavailableError} (there is no offline queue: a publish never looks accepted when it was
 * not) and both connections reconnect with backoff. The tail then resumes after the last id it
 * delivered, so subscribers receive what other relays appended meanwhile; if the log was lost
 * (a new epoch) it fires {@link onEpochChange} instead, and if entries it had not read yet were
 * trimmed, {@link onTrimmed}.
 */
export class RedisBus implements Bus {
  readonly kind = 'redis' as const;

  private readonly cmd: Redis;
  private readonly logKey: string;
  private readonly metaKey: string;
  private readonly prefix: string;
  private readonly trimSlack: number;
  /** One faulty listener must not starve the others or stop the tail. */
  private readonly listeners = new Listeners<[events: readonly Envelope[]]>('RedisBus');
  private readonly epochListeners = new Listeners<[]>();
  private readonly trimListeners = new Listeners<[floor: string]>();
  private readonly readyListeners = new Listeners<[ready: boolean]>();
  private readonly tail: StreamTail;
  private ready = false;
  private closed = false;

  /** Connects and waits (up to `startTimeoutMs`) until the bus is ready; it keeps reconnecting either way. */
  static async connect(options: RedisBusOptions): Promise<RedisBus> {
    const bus = new RedisBus(options);
    if (!bus.isReady()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, options.startTimeoutMs ?? 5000);
        const off = bus.onReadyChange((ready) => ready && done());
        function done() {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    }
    return bus;
  }

  /** Prefer {@link RedisBus.connect}, which waits until Redis answers. */
  constructor(private readonly options: RedisBusOptions) {
    if (!(options.historySize >= 1)) throw new RangeError(`RedisBus: historySize must be at least 1, got ${options.historySize}`);
    this.prefix = options.prefix ?? 'live:';
    this.logKey = `${this.prefix}log`;
    this.metaKey = `${this.prefix}meta`;
    // Trim in steps rather than on every append (like MAXLEN ~), but never let the log hold more
    // than 10% (at most 1000) events beyond historySize.
    this.trimSlack = Math.min(1000, Math.floor(options.historySize / 10));
    const common = {
      // No offline queue and no retries: while Redis is away a call fails at once, never later.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      connectTimeout: 2000,
      retryStrategy: (attempt: number) => Math.round(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)) * (0.8 + Math.random() * 0.4)),
    };
    this.cmd = new Redis(options.url, { ...common, connectionName: 'live-relay:cmd', commandTimeout: 10_000, enableAutoPipelining: true });
    const tailConn = new Redis(options.url, { ...common, connectionName: 'live-relay:tail' });
    for (const conn of [this.cmd, tailConn]) {
      conn.on('ready', () => this.updateReady());
      conn.on('close', () => this.updateReady());
      conn.on('end', () => this.updateReady());
      // ioredis prints unhandled 'error' events; readiness changes are logged in updateReady instead.
      conn.on('error', () => {});
    }
    this.tail = new StreamTail(tailConn, this.logKey, this.metaKey, {
      onBatch: (events) => this.deliver(events),
      onEpochChange: () => this.epochChanged(),
      onTrimmed: (floor) => this.trimmed(floor),
      onSyncedChange: () => this.updateReady(),
    });
  }

  async append(inputs: readonly AppendInput[]): Promise<AppendResult> {
    if (inputs.length === 0) return { events: [], duplicates: 0 };
    this.assertReady();
    const args: (string | number)[] = [
      this.prefix,
      this.options.historySize,
      this.trimSlack,
      this.options.listLimit,
      this.options.dedupeTtlMs,
      randomUUID(),
      inputs.length,
    ];
    for (const input of inputs) args.push(...appendArgs(input));
    const reply = (await this.run(APPEND, [this.logKey, this.metaKey], args)) as string[];
    const events: Envelope[] = [];
    let duplicates = 0;
    for (let i = 0; i < inputs.length; i++) {
      const id = reply[i + 1];
      if (id === '') {
        duplicates++;
        continue;
      }
      const { topic, key, op, data } = inputs[i];
      // The envelope's time is the id's millisecond part, as subscribers see it through the tail.
      const at = new Date(Number(id.slice(0, id.indexOf('-')))).toISOString();
      events.push(op === 'delete' ? { id, topic, key, op, time: at } : { id, topic, key, op, data, time: at });
    }
    if (events.length > 0) await this.tail.delivered(events[events.length - 1].id);
    return { events, duplicates };
  }

  async snapshot(topic: string, keys?: readonly string[]): Promise<TopicSnapshot> {
    this.assertReady();
    const args = keys ? ['1', ...keys] : ['0'];
    const [last, flat] = (await this.run(SNAPSHOT, [`${this.prefix}state:${topic}`, this.logKey], args)) as [string, string[]];
    const entries = new Array<[string, unknown]>(flat.length / 2);
    for (let i = 0; i < flat.length; i += 2) entries[i / 2] = [flat[i], JSON.parse(flat[i + 1])];
    if (last !== '') await this.tail.delivered(last);
    return { topic, lastEventId: last === '' ? null : last, items: itemsObject(entries) };
  }

  async readSince(afterId: string, selectors: readonly Selector[]): Promise<ReadSinceResult> {
    if (!parseId(afterId)) return { ok: false, reason: 'epoch' };
    this.assertReady();
    const args = [afterId];
    for (const sel of selectors) args.push(sel.topic, sel.key ?? '');
    const reply = (await this.run(READ_SINCE, [this.logKey, this.metaKey], args)) as [string, string?, StreamEntry[]?];
    if (reply[0] !== 'ok') return { ok: false, reason: reply[0] as 'expired' | 'epoch' };
    const entries = reply[2] ?? [];
    const events = new Array<Envelope>(entries.length);
    for (let i = 0; i < entries.length; i++) events[i] = entryToEnvelope(entries[i]);
    // Wait for the log's head, not just the last match: the caller goes live from here.
    await this.tail.delivered(reply[1] === '' || reply[1] === undefined ? afterId : reply[1]);
    return { ok: true, events };
  }

  async lastId(): Promise<string | null> {
    this.assertReady();
    const last = (await this.guard(this.cmd.xrevrange(this.logKey, '+', '-', 'COUNT', 1))) as StreamEntry[];
    if (last.length === 0) return null;
    await this.tail.delivered(last[0][0]);
    return last[0][0];
  }

  subscribe(listener: BusListener): () => void {
    return this.listeners.add(listener);
  }

  onEpochChange(listener: () => void): () => void {
    return this.epochListeners.add(listener);
  }

  onTrimmed(listener: (floor: string) => void): () => void {
    return this.trimListeners.add(listener);
  }

  isReady(): boolean {
    return this.ready;
  }

  onReadyChange(listener: (ready: boolean) => void): () => void {
    return this.readyListeners.add(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.updateReady();
    this.cmd.disconnect();
    await this.tail.close();
    this.listeners.clear();
    this.epochListeners.clear();
    this.trimListeners.clear();
    this.readyListeners.clear();
  }

  private run(script: LuaScript, keys: string[], args: (string | number)[]): Promise<unknown> {
    return this.guard(runScript(this.cmd, script, keys, args));
  }

  /** Lets Redis' own answers (script errors) through and turns connection failures into BusUnavailableError. */
  private async guard<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (err) {
      if (err instanceof Error && err.name === 'ReplyError') throw err;
      throw new BusUnavailableError(`the event bus is unavailable (Redis at ${this.safeUrl()}: ${(err as Error)?.message ?? err}); retry later`);
    }
  }

  private assertReady(): void {
    if (this.closed) throw new BusUnavailableError('the event bus is closed (the relay is shutting down)');
    if (!this.ready) throw new BusUnavailableError(`the event bus is unavailable (Redis at ${this.safeUrl()} cannot be reached); retry later`);
  }

  private safeUrl(): string {
    return hideUrlCredentials(this.options.url);
  }

  private updateReady(): void {
    const ready = !this.closed && this.cmd.status === 'ready' && this.tail?.synced === true;
    if (ready === this.ready) return;
    this.ready = ready;
    if (!this.closed) {
      if (ready) this.options.log?.info(`redis bus ready (${this.safeUrl()})`);
      else this.options.log?.warn(`redis bus unavailable: cannot reach ${this.safeUrl()}; reconnecting`);
    }
    this.readyListeners.emit(ready);
  }

  private deliver(events: readonly Envelope[]): void {
    this.listeners.emit(events);
  }

  private trimmed(floor: string): void {
    this.options.log?.warn(
      `redis bus: the log was trimmed past this relay's position (through ${floor}) before it read those events; resetting the streams concerned (raise HISTORY_SIZE if this recurs)`,
    );
    this.trimListeners.emit(floor);
  }

  private epochChanged(): void {
    this.options.log?.warn('redis bus: the log was replaced (Redis flushed or restarted without its data); resetting streams');
    this.epochListeners.emit();
  }
}
