import { html, nothing, type PropertyValues, type TemplateResult, type PropertyDeclarations } from 'lit';
import type uPlot from 'uplot';
import { currentConfig } from '../../core/configure.js';
import type { LiveConnection } from '../../core/live-connection.js';
import type { Envelope, EventInput } from '../../core/wire.js';
import { defineElement } from '../define.js';
import { baseStyles } from '../shared/base.styles.js';
import { dateFormat, numberFormat } from '../shared/format.js';
import { LiveElement } from '../shared/live-element.js';
import { ChartModel } from './chart-model.js';
import { plotOptions, type LiveTip } from './chart-plot.js';
import { livePriceChartStyles } from './live-price-chart.styles.js';
import { loadUplot } from './load-uplot.js';
import { BUCKET_MS, parsePeriod, type ChartPeriod } from './periods.js';
import { loadSeries, type SeriesFetchError, type SeriesResponse } from './series-fetch.js';

export type { LiveTip } from './chart-plot.js';

/** Live points redraw the plot at most this often (ms): each redraw rasterizes the whole canvas (about 8 ms of main thread on the bench machine). */
const LIVE_REDRAW_MS = 250;

let syntheticSeq = 0;

/**
 * A price chart (uPlot): the history from the relay's `/v1/series`, then live points from the
 * stream, consolidated per period bucket (1h → 1 min, 24h → 5 min, 7d → 30 min, 30d → 2 h,
 * 90d → 6 h, 1y/all → 1 day). The newest point carries a "live tip" marker until its bucket
 * closes: a dot laid over the plot that pulses gently (not under `prefers-reduced-motion`), by
 * opacity and transform only, so the pulse runs on the compositor and never redraws the canvas. A
 * dashed line per field marks its latest quote (the last price, not its bucket's high or low),
 * labelled with the value at the plot's right edge. The legend row shows "● LIVE" while the stream
 * is open (plain text, not announced: the region's name and the legend say the rest). uPlot is
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

  private get colorProbe(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('.color-probe');
  }

  private get plotEl(): HTMLDivElement | null {
    return this.renderRoot?.querySelector<HTMLDivElement>('.plot') ?? null;
  }

  /** Whether the stream this chart follows is open (the header's "● LIVE"). */
  private streamOpen = false;
  /** The connection whose status {@link streamOpen} follows, and how to stop following it. */
  private statusFrom: LiveConnection | null = null;
  private stopStatus: (() => void) | null = null;

  /** Follows the open/closed state of the connection in use (it may change with a `<live-source>`). */
  private followStatus(): void {
    const conn = this.isConnected ? this.live.liveConnection : null;
    if (conn === this.statusFrom) return;
    this.stopStatus?.();
    this.statusFrom = conn;
    this.stopStatus = conn ? conn.onStatus((s) => this.setStreamOpen(s.status === 'open')) : null;
    this.setStreamOpen(conn?.status.status === 'open');
  }

  private setStreamOpen(open: boolean): void {
    if (open === this.streamOpen) return;
    this.streamOpen = open;
    // A change of its own (not live data): it renders even while the chart is unseen.
    this.requestUpdate('streamOpen', !open);
  }

  /** The history, the live buckets, the tip and the latest quotes. */
  private readonly model = new ChartModel();
  private plot: uPlot | null = null;
  private plotPromise: Promise<void> | null = null;
  private frame = 0;
  private tipTimer: ReturnType<typeof setTimeout> | undefined;
  private tipTimerEnd: number | null = null;
  private fetchAbort: AbortController | null = null;
  /** The connection the history was last loaded through (its relay and token); undefined before. */
  private historyFrom: LiveConnection | null | undefined = undefined;
  private sourceMoved = false;
  private resizeObserver: ResizeObserver | null = null;
  private schemeQuery: MediaQueryList | null = null;
  private readonly onScheme = () => this.rebuildPlot();

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
    let changed = false;
    for (const e of events) {
      if (this.key !== null && e.key !== this.key) continue;
      if (this.topic !== null && e.topic !== this.topic) continue;
      // Before the history, kept until it arrives, then merged after it by id: neither lost nor doubled.
      if (this.foldLive(e)) changed = true;
    }
    if (changed) this.scheduleDraw(true, false, true);
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
    this.followStatus();
    this.schemeQuery = matchMedia('(prefers-color-scheme: dark)');
    this.schemeQuery.addEventListener('change', this.onScheme);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.followStatus();
    this.schemeQuery?.removeEventListener('change', this.onScheme);
    this.fetchAbort?.abort();
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    clearTimeout(this.tipTimer);
    this.tipTimerEnd = null;
    clearTimeout(this.drawTimer);
    this.drawTimer = undefined;
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
    this.plot?.destroy();
    this.plot = null;
  }

  protected override shouldUpdate(changed: PropertyValues): boolean {
    // A live batch alone renders with the redraw already scheduled: legend and plot change together,
    // in one frame, at the redraw's pace.
    const liveOnly = changed.size === 0 || (changed.size === 1 && changed.has('items'));
    if (liveOnly && (this.frame !== 0 || this.drawTimer !== undefined)) return false;
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
    const moved = switched || this.sourceMoved || changed.has('fields');
    // A period switch alone keeps the live points, re-bucketed, for after the new history.
    if (moved || (changed.has('period') && changed.get('period') !== undefined)) this.resetData(!moved);
    super.willUpdate(changed);
    this.followStatus();
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
    if (this.foldLive({ id, topic: this.topic!, key: this.key!, op: 'upsert', data: value, time: new Date(value.ts * 1000).toISOString() })) this.scheduleDraw(true);
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    if ((this.sourceMoved || changed.has('topic') || changed.has('key') || changed.has('period') || changed.has('relay') || changed.has('fields') || changed.has('points')) && this.topic && this.key) {
      void this.loadHistory();
    }
    if (changed.has('theme') || changed.has('locale') || changed.has('period')) this.rebuildPlot();
    if (this.phase === 'ready' && !this.plot) void this.ensurePlot();
    if (this.drawSkipped) {
      this.drawSkipped = false;
      this.scheduleDraw(false);
    }
    if (this.plotEl && !this.resizeObserver) {
      this.resizeObserver = new ResizeObserver(() => this.scheduleDraw(false, true));
      this.resizeObserver.observe(this.plotEl);
    }
  }

  /**
   * Legend row and plot are always there, at their final size: a state (loading, error, empty)
   * is laid over the plot, so nothing moves when the data comes, or on a period switch.
   */
  protected override renderState(): TemplateResult {
    return html`${this.renderLegend()}
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

  private renderLegend(): TemplateResult {
    const { fieldNames, data } = this.model;
    const n = data[0].length - 1;
    const num = numberFormat(this.locale);
    const tip = this.liveTip;
    // Each entry has a column of its own, the live tip's too (hidden while there is none): a
    // value's width changes nothing else's place.
    return html`<dl part="legend" class="legend">
      ${fieldNames.map(
        (f, i) => html`<div>
          <dt><span class="swatch"></span> ${f}</dt>
          <dd>${n >= 0 && data[i + 1][n] != null ? num.format(data[i + 1][n] as number) : '–'}</dd>
        </div>`,
      )}
      <div class=${tip ? '' : 'off'}><dt part="live-tip" class="tip-label">● live</dt><dd>${tip ? dateFormat(this.locale, { timeStyle: 'medium' }).format(tip.time) : ''}</dd></div>
      <div class=${this.streamOpen ? 'live' : 'live off'}><dt part="live"><span aria-hidden="true">●</span> LIVE</dt></div>
    </dl>`;
  }

  private describePlot(): string {
    const { fieldNames, data } = this.model;
    const n = data[0].length - 1;
    if (n < 0) return this.defaultLabel();
    const num = numberFormat(this.locale);
    const latest = fieldNames.map((f, i) => `${f} ${data[i + 1][n] == null ? 'none' : num.format(data[i + 1][n] as number)}`).join(', ');
    return `${this.defaultLabel()}: ${this.pointCount} points, latest ${latest}`;
  }

  /** Clears the history and the live points (key switch), or keeps the live points re-bucketed for the period (`keepLive`). */
  private resetData(keepLive = false): void {
    this.fetchAbort?.abort();
    this.model.reset(this.requestedFields() ?? [], BUCKET_MS[parsePeriod(this.period) ?? '24h'], keepLive);
    this.plot?.destroy();
    this.plot = null;
    if (this.phase !== 'error' || this.error?.code !== 'bad_period') {
      this.phase = 'loading';
      this.error = null;
    }
  }

  private requestedFields(): string[] | null {
    const list = (this.fields ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    return list.length ? list : null;
  }

  private async loadHistory(): Promise<void> {
    const period = parsePeriod(this.period);
    if (!period || !this.topic || !this.key) return;
    const relay = this.relay ?? this.live.liveConnection?.relay ?? currentConfig().relay ?? null;
    if (!relay) {
      this.error = { code: 'no_relay', message: 'no relay to load the history from: set the relay attribute, or data-relay on the live-elements script tag' };
      return;
    }
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
    }
  }

  private takeHistory(s: SeriesResponse | null): void {
    const early = this.model.takeEarly();
    this.resetData(true);
    if (!s) return;
    this.model.take(s, this.plotColumns());
    this.phase = 'ready';
    this.error = null;
    for (const e of early) this.foldLive(e);
    this.requestUpdate('items');
    this.scheduleDraw(true);
  }

  /** Folds one live event into the model; false when it changed nothing drawn. */
  private foldLive(e: Envelope): boolean {
    if (!this.model.fold(e)) return false;
    this.armTipTimer();
    // The next redraw tells `live-change`.
    return (this.pendingLive = true);
  }

  private pendingLive = false;

  /** Redraws when the live tip's bucket closes, so the marker goes away on time. */
  private armTipTimer(): void {
    const end = this.model.buffer.newestBucketEnd();
    // Most live points land in the open bucket: its timer already stands.
    if (end === this.tipTimerEnd) return;
    this.tipTimerEnd = end;
    clearTimeout(this.tipTimer);
    if (end === null) return;
    this.tipTimer = setTimeout(() => {
      this.tipTimerEnd = null;
      this.scheduleDraw(false);
    }, Math.max(0, end - Date.now()) + 5);
  }

  /**
   * Coalesces redraws: at most one per animation frame, however many points arrived, and live
   * points at most one per {@link LIVE_REDRAW_MS} (a redraw rasterizes the whole canvas on the
   * main thread; a price ticking 20 times a second need not cost 20 of them).
   */
  private scheduleDraw(dataChanged: boolean, resized = false, live = false): void {
    this.dirtyData ||= dataChanged;
    this.dirtySize ||= resized;
    if (this.frame) return;
    const wait = live ? this.liveDrawAt + LIVE_REDRAW_MS - performance.now() : 0;
    if (wait > 0) {
      this.drawTimer ??= setTimeout(() => {
        this.drawTimer = undefined;
        this.scheduleDraw(false, false, true);
      }, wait);
      return;
    }
    clearTimeout(this.drawTimer);
    this.drawTimer = undefined;
    if (live) this.liveDrawAt = performance.now();
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private drawTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the last live redraw was asked for (performance.now()). */
  private liveDrawAt = -Infinity;

  private dirtyData = false;
  private dirtySize = false;

  /** A redraw was skipped while the chart was unseen (see LiveElement.shouldUpdate); done when seen. */
  private drawSkipped = false;

  private draw(): void {
    if (this.plot && (this.offScreen || document.hidden)) {
      // The data stays current; the catch-up render (when seen again) draws it once.
      this.drawSkipped = true;
      this.requestUpdate();
      return;
    }
    if (this.pendingLive) {
      this.pendingLive = false;
      if (this.key) this.notifyLive(this.key);
    }
    this.requestUpdate();
    const plot = this.plot;
    if (!plot) return;
    if (this.dirtySize) {
      const { width, height } = this.plotSize();
      if (width !== plot.width || height !== plot.height) plot.setSize({ width, height });
      if (this.fitColumns()) this.dirtyData = true;
    }
    if (this.dirtyData) plot.setData(this.model.data as uPlot.AlignedData);
    else plot.redraw(false);
    this.dirtyData = this.dirtySize = false;
  }

  /** Marks `key` changed for `live-change`, without highlighting (a chart has no rows). */
  private notifyLive(key: string): void {
    this.takeItems(this.items, [key]);
  }

  /** Pixel columns of the plot (device pixels: a line is drawn at that resolution). */
  private plotColumns(): number {
    return Math.ceil(this.plotSize().width * devicePixelRatio);
  }

  /** Re-reduces the history when the plot's columns changed and it is (or was) reduced; true if so. */
  private fitColumns(): boolean {
    return this.model.fit(this.plotColumns());
  }

  private plotSize(): { width: number; height: number } {
    const r = this.plotEl?.getBoundingClientRect();
    return { width: Math.max(100, Math.floor(r?.width ?? 300)), height: Math.max(80, Math.floor(r?.height ?? 240)) };
  }

  private rebuildPlot(): void {
    if (!this.plot) return;
    this.plot.destroy();
    this.plot = null;
    void this.ensurePlot();
  }

  private async ensurePlot(): Promise<void> {
    if (this.plot || this.plotPromise) return;
    this.plotPromise = (async () => {
      const UPlot = await loadUplot();
      // A task of its own per chart: several charts share uPlot's import, and their first draws
      // would otherwise run back to back in one long task.
      await new Promise((resolve) => setTimeout(resolve));
      await this.updateComplete;
      const el = this.plotEl;
      if (!el || this.plot || !this.isConnected) return;
      this.fitColumns();
      this.plot = new UPlot(this.plotOptions(), this.model.data as uPlot.AlignedData, el);
    })().finally(() => (this.plotPromise = null));
    return this.plotPromise;
  }

  /**
   * A colour custom property as the canvas can use it. The property's raw text may be any CSS
   * colour expression (`light-dark(…)`, `color-mix(…)`, `var(…)`), which a canvas cannot parse; so
   * it is resolved through a hidden node's computed `color`, inside the shadow root, where the
   * element's own `color-scheme` applies.
   */
  private resolveColor(name: string, fallback: string): string {
    const probe = this.colorProbe;
    if (!probe) return fallback;
    probe.style.color = '';
    probe.style.color = `var(${name}, ${fallback})`;
    return getComputedStyle(probe).color || fallback;
  }

  private plotOptions(): uPlot.Options {
    const { width, height } = this.plotSize();
    return plotOptions({
      width,
      height,
      period: parsePeriod(this.period) ?? '24h',
      locale: this.locale,
      fieldNames: this.model.fieldNames,
      fontFamily: getComputedStyle(this).fontFamily,
      color: (name, fallback) => this.resolveColor(name, fallback),
      tip: () => this.liveTip,
      last: (f) => this.model.lastValues[f],
    });
  }
}

defineElement('live-price-chart', LivePriceChart);

declare global {
  interface HTMLElementTagNameMap {
    'live-price-chart': LivePriceChart;
  }
}
