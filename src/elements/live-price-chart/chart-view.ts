import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type uPlot from 'uplot';
import type { ChartModel } from './chart-model.js';
import { plotOptions } from './chart-plot.js';
import { DrawScheduler, type DrawWork } from './draw-scheduler.js';
import { loadUplot } from './load-uplot.js';
import { parsePeriod } from './periods.js';

/** The element a view draws in: its render root holds the `.plot` box and a hidden `.color-probe`. */
export type ChartViewHost = ReactiveControllerHost &
  HTMLElement & {
    readonly renderRoot: ParentNode;
    /** The plot is made once this is `ready`. */
    readonly phase: string;
    readonly period: string;
    readonly locale: string | null;
  };

/** What the view asks of its element. */
export interface ChartViewHooks {
  /** Whether the element is unseen (off screen, or its tab hidden): a draw then waits until it is seen. */
  unseen(): boolean;
  /** Just before a draw, and the element's render that goes with it. */
  drawing(): void;
}

/**
 * A chart's uPlot instance and its life, a controller of the chart element: made once the data is
 * ready (uPlot is loaded on first use), made again for a new look (theme, locale, period, colour
 * scheme), resized with its box, fed the model's data, destroyed when the element leaves the page.
 * Each draw renders the element too, so legend and plot change in the same frame. A draw due while
 * the element is unseen waits: the render that comes when it is seen again draws it, once.
 */
export class ChartView extends DrawScheduler implements ReactiveController {
  /** The uPlot instance, once made. */
  plot: uPlot | null = null;
  /** Lays the plot's marks again without a draw (see {@link plotOptions}). */
  private placeMarks: ((u: uPlot) => void) | null = null;
  private plotPromise: Promise<void> | null = null;
  private resizeObserver: ResizeObserver | null = null;
  private schemeQuery: MediaQueryList | null = null;
  private readonly onScheme = () => this.rebuildPlot();
  /** A draw was skipped while the element was unseen; done at its next render. */
  private drawSkipped = false;

  constructor(
    private readonly host: ChartViewHost,
    private readonly model: ChartModel,
    private readonly hooks: ChartViewHooks,
  ) {
    super();
    host.addController(this);
  }

  hostConnected(): void {
    this.schemeQuery = matchMedia('(prefers-color-scheme: dark)');
    this.schemeQuery.addEventListener('change', this.onScheme);
  }

  hostDisconnected(): void {
    this.schemeQuery?.removeEventListener('change', this.onScheme);
    this.cancelDraws();
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
    this.dropPlot();
  }

  hostUpdated(): void {
    if (this.host.phase === 'ready' && !this.plot) this.ensurePlot();
    if (this.drawSkipped) {
      this.drawSkipped = false;
      this.scheduleDraw();
    }
    const el = this.plotEl;
    if (el && !this.resizeObserver) {
      this.resizeObserver = new ResizeObserver(() => this.scheduleDraw({ resized: true }));
      this.resizeObserver.observe(el);
    }
  }

  /** Pixel columns of the plot (device pixels: a line is drawn at that resolution). */
  plotColumns(): number {
    return Math.ceil(this.plotSize().width * devicePixelRatio);
  }

  /** Destroys the plot (the data it showed is gone); a new one is made once the data is ready again. */
  dropPlot(): void {
    this.plot?.destroy();
    this.plot = null;
  }

  /** Makes the plot again, for a new look (theme, locale, period, colour scheme). */
  rebuildPlot(): void {
    if (!this.plot) return;
    this.dropPlot();
    this.ensurePlot();
  }

  protected skip(): boolean {
    if (!this.plot || !this.hooks.unseen()) return false;
    // The data stays current; the catch-up render (when seen again) draws it once. No frame is
    // asked for: one asked for is made (style, paint, commit), even if its draw is skipped.
    this.drawSkipped = true;
    this.host.requestUpdate();
    return true;
  }

  protected draw(work: DrawWork): boolean {
    const plot = this.plot;
    this.hooks.drawing();
    this.host.requestUpdate();
    if (!plot) return false;
    let { data } = work;
    if (work.resized) {
      const { width, height } = this.plotSize();
      if (width !== plot.width || height !== plot.height) plot.setSize({ width, height });
      // A history reduced to the plot's pixel columns is reduced again for the new ones.
      if (this.model.fit(this.plotColumns())) data = true;
    }
    if (data) plot.setData(this.model.data as uPlot.AlignedData);
    else if (work.canvas || work.resized) plot.redraw(false);
    // Nothing drawn changed but the marks over it (a new last price): the canvas stays as it is.
    else this.placeMarks?.(plot);
    return true;
  }

  private get plotEl(): HTMLDivElement | null {
    return this.host.renderRoot?.querySelector<HTMLDivElement>('.plot') ?? null;
  }

  private plotSize(): { width: number; height: number } {
    const r = this.plotEl?.getBoundingClientRect();
    return { width: Math.max(100, Math.floor(r?.width ?? 300)), height: Math.max(80, Math.floor(r?.height ?? 240)) };
  }

  private ensurePlot(): void {
    if (this.plot || this.plotPromise) return;
    this.plotPromise = (async () => {
      const UPlot = await loadUplot();
      // A task of its own per chart: several charts share uPlot's import, and their first draws
      // would otherwise run back to back in one long task.
      await new Promise((resolve) => setTimeout(resolve));
      await this.host.updateComplete;
      const el = this.plotEl;
      if (!el || this.plot || !this.host.isConnected) return;
      this.model.fit(this.plotColumns());
      const { opts, place } = this.plotOptions();
      this.placeMarks = place;
      this.plot = new UPlot(opts, this.model.data as uPlot.AlignedData, el);
    })().finally(() => (this.plotPromise = null));
  }

  /**
   * A colour custom property as the canvas can use it. The property's raw text may be any CSS
   * colour expression (`light-dark(…)`, `color-mix(…)`, `var(…)`), which a canvas cannot parse; so
   * it is resolved through a hidden node's computed `color`, inside the shadow root, where the
   * element's own `color-scheme` applies.
   */
  private resolveColor(name: string, fallback: string): string {
    const probe = this.host.renderRoot.querySelector<HTMLElement>('.color-probe');
    if (!probe) return fallback;
    probe.style.color = '';
    probe.style.color = `var(${name}, ${fallback})`;
    return getComputedStyle(probe).color || fallback;
  }

  private plotOptions(): ReturnType<typeof plotOptions> {
    const { host, model } = this;
    return plotOptions({
      ...this.plotSize(),
      period: parsePeriod(host.period) ?? '24h',
      locale: host.locale,
      fieldNames: model.fieldNames,
      fontFamily: getComputedStyle(host).fontFamily,
      color: (name, fallback) => this.resolveColor(name, fallback),
      tip: () => model.liveTip,
      last: (f) => model.lastValues[f],
    });
  }
}
