import { html, nothing, type PropertyValues, type TemplateResult, type PropertyDeclarations } from 'lit';
import { currentConfig } from '../../core/configure.js';
import type { LiveConnection } from '../../core/live-connection.js';
import type { Envelope, EventInput } from '../../core/wire.js';
import { defineElement } from '../define.js';
import { baseStyles } from '../shared/base.styles.js';
import { LiveElement } from '../shared/live-element.js';
import { describeLatest, renderLegend, reserveLegendWidths } from './chart-legend.js';
import { ChartModel, type FoldResult } from './chart-model.js';
import type { LiveTip } from './chart-plot.js';
import { ChartView } from './chart-view.js';
import { livePriceChartStyles } from './live-price-chart.styles.js';
import { BUCKET_MS, parsePeriod, type ChartPeriod } from './periods.js';
import { loadUplot } from './load-uplot.js';
import { loadSeries, type SeriesFetchError, type SeriesResponse } from './series-fetch.js';
import { StreamOpenController } from './stream-open.js';

export type { LiveTip } from './chart-plot.js';

let syntheticSeq = 0;

/**
 * A price chart (uPlot): the history from the relay's `/v1/series`, then live points from the
 * stream, consolidated per period bucket (1h → 1 min, 24h → 5 min, 7d → 30 min, 30d → 2 h,
 * 90d → 6 h, 1y/all → 1 day). The newest point carries a "live tip" marker until its bucket
 * closes: a dot laid over the plot that pulses three times as it appears (not under
 * `prefers-reduced-motion`, not while unseen), by opacity and transform only, so the pulse runs on
 * the compositor and never redraws the canvas. A
 * dashed line per field marks its latest quote (the last price, not its bucket's high or low),
 * labelled with the value at the plot's right edge; labels of close values are moved apart so that
 * none covers another. The legend row shows "● LIVE" while the stream is open (plain text, not
 * announced: the region's name and the legend say the rest). A legend value is never cut: each
 * keeps a width for its field's values, and on a chart too narrow for the whole row the live tip's
 * time, then the last values leave it whole (LIVE keeps its place). uPlot is
 * loaded only when a chart is on the page. Redraws at most once per animation
 * frame, for live points at most 5 times a second, and follows its container's size. A history
 * with more points than the plot has pixels is drawn reduced to each pixel column's extremes, so a
 * redraw costs the same for 50,000 points as for 5,000 and no spike is lost.
 *
 * @tag live-price-chart
 * @summary Live price chart with history.
 * @slot empty - Shown when there is no data for this key and period.
 * @slot loading - Shown while the history loads.
 * @csspart base - The region around everything.
 * @csspart legend - The latest values (a `<dl>`).
 * @csspart plot - The chart's drawing area (uPlot's canvas lives inside).
 * @csspart live-tip - The legend's "live" label, present while the live tip is shown.
 * @csspart live - The legend's "● LIVE", shown while the stream is open (hidden, its place kept, otherwise).
 * @csspart tip - The live tip's pulsing marker over the plot, one per field (hidden while there is no live tip).
 * @csspart last-price - The dashed line at a field's latest quote, one per field.
 * @csspart last-price-label - The latest quote's value at the line's right end.
 * @csspart loading - The default loading text.
 * @csspart empty - The default empty text.
 * @csspart error - The error message.
 * @csspart announcer - The polite live region (visually hidden).
 * @cssproperty [--live-price-chart-height=240px] - Height of the drawing area when the element has no height of its own (a height set on the element is shared between the legend row and the plot).
 * @cssproperty [--live-price-chart-series-1=#0b63ce] - First field's line (dark theme: #5aa2ff).
 * @cssproperty [--live-price-chart-series-2=#d9480f] - Second field's line (dark theme: #ff8c42).
 * @cssproperty [--live-price-chart-series-3=#2b8a3e] - Third field's line (dark theme: #69db7c).
 * @cssproperty [--live-price-chart-tip=#e8590c] - The live tip marker (dark theme: #ffa94d).
 * @cssproperty [--live-price-chart-grid=var(--live-border)] - Grid lines.
 * @cssproperty [--live-bg=#ffffff] - Background (dark theme: #16191d).
 * @cssproperty [--live-fg=#1b1f24] - Text colour (dark theme: #e6e9ed).
 * @cssproperty [--live-muted=#5c6670] - Axis labels (dark theme: #9aa4ae).
 * @cssproperty [--live-border=#d8dee4] - Grid lines by default (dark theme: #30363d).
 * @cssproperty [--live-font=14px/1.4 system-ui, sans-serif] - Font.
 * @event {LiveChangeEvent} live-change - After live points changed the chart; `detail.keys` is the key.
 */
export class LivePriceChart extends LiveElement {
  /** Lit's reactive properties (declared here, not with decorators: the decorator helpers cost bytes in every page). */
  static override properties: PropertyDeclarations = { period: { reflect: true }, fields: {}, relay: {}, points: { type: Number } };

  static override styles = [baseStyles, ...livePriceChartStyles];

  /** The period shown: `1h`, `24h`, `7d`, `30d`, `90d`, `1y` or `all`. Switching it re-fetches. */
  period: ChartPeriod = '24h';

  /** Comma-separated fields to draw (`high,low`); all numeric fields of the history when unset. */
  fields: string | null = null;

  /** The relay's base URL for the history; the kit's configured relay when unset. */
  relay: string | null = null;

  /** How many history points to ask the relay for (its `points`); the relay's default (500) when unset. */
  points: number | null = null;

  /** Whether the stream this chart reads is open (the legend's "● LIVE"). */
  private readonly stream = new StreamOpenController(this, () => this.live.liveConnection);

  /** The history, the live buckets, the tip and the latest quotes. */
  private readonly model = new ChartModel();
  /** The plot (uPlot), its draws and its life. */
  private readonly view = new ChartView(this, this.model, {
    unseen: () => this.unseen,
    drawing: () => this.notifyLive(),
  });
  private fetchAbort: AbortController | null = null;
  /** The connection the history was last loaded through (its relay and token); undefined before. */
  private historyFrom: LiveConnection | null | undefined = undefined;
  private sourceMoved = false;
  /** What the history in hand (or in flight) was asked for ({@link historyAsk}); '' for none. */
  private historyAsked = '';

  /**
   * The history the chart starts from, as `/v1/series` answers it. Set by the chart itself when
   * `topic` and `key` are set; set it directly to drive the chart without a relay.
   */
  get history(): SeriesResponse | null {
    return this.model.history;
  }
  set history(value: SeriesResponse | null) {
    this.takeHistory(value);
  }

  /** The live tip (the newest live point while its bucket is open), or null. */
  get liveTip(): LiveTip | null {
    return this.model.liveTip;
  }

  /** Points shown: history points plus live buckets. */
  get pointCount(): number {
    return this.model.pointCount;
  }

  /**
   * The drawn series: unix ms times and, per field, the values (a copy, for inspection). A history
   * longer than four points per pixel column is drawn reduced to each column's first, last, minimum
   * and maximum points, so it has fewer points than {@link pointCount} but the same extremes.
   */
  get chartData(): { t: number[]; series: Record<string, Array<number | null>> } {
    const { fieldNames, data } = this.model;
    const series: Record<string, Array<number | null>> = {};
    fieldNames.forEach((f, i) => (series[f] = data[i + 1].slice()));
    return { t: data[0].slice() as number[], series };
  }

  /** Folds live events of this chart's key into the chart (what the stream delivers). */
  ingest(events: readonly Envelope[]): void {
    let changed: FoldResult = null;
    for (const e of events) {
      if (this.key !== null && e.key !== this.key) continue;
      if (this.topic !== null && e.topic !== this.topic) continue;
      // Before the history, kept until it arrives, then merged after it by id: neither lost nor doubled.
      const folded = this.foldLive(e);
      if (folded && changed !== 'data') changed = folded;
    }
    // A new last price in a bucket whose max/min held moves the marks only: the canvas is not redrawn.
    if (changed) this.view.scheduleDraw({ data: changed === 'data', marks: changed === 'marks', live: true });
  }

  /**
   * Applies events to `items` like every widget, and draws them as live points. Events without
   * `id`/`time` (driven by a page, not the stream) get the current time.
   */
  override applyEvents(events: readonly (EventInput & Partial<Pick<Envelope, 'id' | 'time'>>)[]): void {
    super.applyEvents(events);
    const now = Date.now();
    this.ingest(
      events.map((e) => ({ ...e, id: e.id ?? `${now}-${1_000_000 + syntheticSeq++}`, time: e.time ?? new Date(now).toISOString() })),
    );
  }

  protected override get phaseFromLive(): boolean {
    return false;
  }

  protected override onLiveEvents(events: readonly Envelope[]): void {
    this.ingest(events);
  }

  protected override onLiveReset(): void {
    // Events were lost: the history is re-read so the chart has no gap.
    if (this.topic && this.key) void this.loadHistory();
  }

  protected override defaultLabel(): string {
    return `Price chart${this.key ? ` of ${this.key}` : ''}, ${this.period}`;
  }

  protected override isEmpty(): boolean {
    return this.pointCount === 0;
  }

  protected override describeChange(): string {
    // Prices tick many times a second: the legend holds the values, announcing each would drown a screen reader.
    return '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // The history is asked for at once, not after the first render (a task later, once the page's
    // main thread is free): the request and uPlot's download run while the page renders.
    if (!this.historyAsked && this.live.liveConnection) void this.loadHistory();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // A history still in flight is asked for again on the next connect.
    if (this.fetchAbort) this.historyAsked = '';
    this.fetchAbort?.abort();
  }

  protected override shouldUpdate(changed: PropertyValues): boolean {
    // A live batch alone renders with the redraw already scheduled: legend and plot change together,
    // in one frame, at the redraw's pace.
    const liveOnly = changed.size === 0 || (changed.size === 1 && changed.has('items'));
    if (liveOnly && this.view.drawPending) return false;
    return super.shouldUpdate(changed);
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('period') && parsePeriod(this.period) === null) {
      this.error = { code: 'bad_period', message: `period="${this.period}" is not one of 1h, 24h, 7d, 30d, 90d, 1y, all` };
      this.phase = 'error';
    }
    const switched = (changed.has('key') && changed.get('key') !== undefined) || (changed.has('topic') && changed.get('topic') !== undefined);
    // A new connection (its <live-source>'s relay or token changed) may read another history.
    this.sourceMoved = this.historyFrom !== undefined && this.historyFrom !== this.live.liveConnection;
    const moved = switched || this.sourceMoved || (changed.has('fields') && this.hasUpdated);
    // A period switch alone keeps the live points, re-bucketed, for after the new history.
    if (moved || (changed.has('period') && changed.get('period') !== undefined)) this.resetData(!moved);
    super.willUpdate(changed);
    if (this.topic && this.key) this.foldSnapshotValue();
  }

  /**
   * A point can reach the subscription inside its snapshot rather than as an event (it was
   * published between the history's read and the snapshot's, or the snapshot was re-read after a
   * reset): the key's current value is drawn when its `ts` is newer than the newest point.
   */
  private foldSnapshotValue(): void {
    const value = this.items.get(this.key!) as { ts?: unknown } | undefined;
    if (!this.model.history || typeof value?.ts !== 'number') return;
    const x = this.model.data[0];
    if (x.length > 0 && value.ts * 1000 <= (x[x.length - 1] as number)) return;
    // Ordered after every real id, so the history's lastEventId never hides it.
    const id = `${Number.MAX_SAFE_INTEGER}-0`;
    if (this.foldLive({ id, topic: this.topic!, key: this.key!, op: 'upsert', data: value, time: new Date(value.ts * 1000).toISOString() })) this.view.scheduleDraw({ data: true });
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    reserveLegendWidths(this.renderRoot, this.model, this.locale);
    const asked = changed.has('topic') || changed.has('key') || changed.has('period') || changed.has('relay') || changed.has('fields') || changed.has('points');
    if ((this.sourceMoved || (asked && this.historyAsk() !== this.historyAsked)) && this.topic && this.key) void this.loadHistory();
    if (changed.has('theme') || changed.has('locale') || changed.has('period')) this.view.rebuildPlot();
  }

  /**
   * Legend row and plot are always there, at their final size: a state (loading, error, empty)
   * is laid over the plot, so nothing moves when the data comes, or on a period switch.
   */
  protected override renderState(): TemplateResult {
    return html`${renderLegend(this.model, this.locale, this.stream.open)}
      <div class="plot" part="plot" role="img" aria-label=${this.describePlot()}></div>
      ${this.phase !== 'ready'
        ? super.renderState()
        : this.empty
          ? html`<slot name="empty"><div class="state" part="empty">No data for this period yet.</div></slot>`
          : nothing}
      <span class="color-probe" hidden></span>`;
  }

  /** The plot is drawn by uPlot, not rendered: see {@link renderState}. */
  protected override renderBody(): TemplateResult {
    return html``;
  }

  private describePlot(): string {
    const latest = describeLatest(this.model, this.locale);
    return latest === null ? this.defaultLabel() : `${this.defaultLabel()}: ${this.pointCount} points, latest ${latest}`;
  }

  /** Clears the history and the live points (key switch), or keeps the live points re-bucketed for the period (`keepLive`). */
  private resetData(keepLive = false): void {
    this.fetchAbort?.abort();
    this.model.reset(this.requestedFields() ?? [], BUCKET_MS[parsePeriod(this.period) ?? '24h'], keepLive);
    this.view.dropPlot();
    if (this.phase !== 'error' || this.error?.code !== 'bad_period') {
      this.phase = 'loading';
      this.error = null;
    }
  }

  private requestedFields(): string[] | null {
    const list = (this.fields ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    return list.length ? list : null;
  }

  /** What a history request asks for: a change of any of these reads the history again. */
  private historyAsk(): string {
    return [this.relay, this.topic, this.key, this.period, this.fields, this.points].join('\n');
  }

  private async loadHistory(): Promise<void> {
    const period = parsePeriod(this.period);
    if (!period || !this.topic || !this.key) return;
    const relay = this.relay ?? this.live.liveConnection?.relay ?? currentConfig().relay ?? null;
    if (!relay) {
      this.error = { code: 'no_relay', message: 'no relay to load the history from: set the relay attribute, or data-relay on the live-elements script tag' };
      return;
    }
    this.historyAsked = this.historyAsk();
    // uPlot downloads beside the history, not after it.
    loadUplot().catch(() => {});
    this.fetchAbort?.abort();
    const abort = new AbortController();
    this.fetchAbort = abort;
    const conn = this.live.liveConnection;
    this.historyFrom = conn;
    try {
      const s = await loadSeries({ relay, topic: this.topic, key: this.key, period, fields: this.requestedFields(), points: this.points, signal: abort.signal }, conn);
      if (!abort.signal.aborted) this.takeHistory(s);
    } catch (err) {
      if (abort.signal.aborted) return;
      const e = err as SeriesFetchError;
      this.error = { code: e.code ?? 'network', message: e.message };
    } finally {
      if (this.fetchAbort === abort) this.fetchAbort = null;
    }
  }

  private takeHistory(s: SeriesResponse | null): void {
    const early = this.model.takeEarly();
    this.resetData(true);
    if (!s) return;
    this.model.take(s, this.view.plotColumns());
    this.phase = 'ready';
    this.error = null;
    for (const e of early) this.foldLive(e);
    this.requestUpdate('items');
    this.view.scheduleDraw({ data: true });
  }

  /** Folds one live event into the model; what it changed (see {@link ChartModel.fold}). */
  private foldLive(e: Envelope): FoldResult {
    const folded = this.model.fold(e);
    if (folded) {
      this.view.armTipTimer(this.model.buffer.newestBucketEnd());
      // The next draw tells `live-change`.
      this.pendingLive = true;
    }
    return folded;
  }

  private pendingLive = false;

  /** Tells `live-change` for the live points the coming draw shows, without highlighting (a chart has no rows). */
  private notifyLive(): void {
    if (!this.pendingLive) return;
    this.pendingLive = false;
    if (this.key) this.takeItems(this.items, [this.key]);
  }
}

defineElement('live-price-chart', LivePriceChart);

declare global {
  interface HTMLElementTagNameMap {
    'live-price-chart': LivePriceChart;
  }
}
