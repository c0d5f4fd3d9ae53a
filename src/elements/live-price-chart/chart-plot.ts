import type uPlot from 'uplot';
import { dateFormat, numberFormat } from '../shared/format.js';
import { axisDateOptions, type ChartPeriod } from './periods.js';

/** The newest point while its bucket is open. */
export interface LiveTip {
  /** Unix ms. */
  time: number;
  /** Field → value. */
  values: Record<string, number | null>;
}

/** What a plot is built from: its size, look and the chart's current marks. */
export interface PlotSpec {
  width: number;
  height: number;
  period: ChartPeriod;
  locale: string | null;
  fieldNames: readonly string[];
  fontFamily: string;
  /** A colour custom property resolved to what a canvas can parse. */
  color: (name: string, fallback: string) => string;
  /** The live tip now (null: none). */
  tip: () => LiveTip | null;
  /** A field's latest raw value (the last quote, not its bucket's max/min). */
  last: (field: string) => number | undefined;
}

/**
 * uPlot's options for a chart: axes formatted for the period and locale, one line per field, and
 * the marks laid over the plot after each draw (see {@link placeMarks}); and `place`, which lays
 * the marks again without a draw (they moved, the canvas did not change).
 */
export function plotOptions(spec: PlotSpec): { opts: uPlot.Options; place: (u: uPlot) => void } {
  const { color, fieldNames } = spec;
  const muted = color('--_muted', '#5c6670');
  const grid = color('--_grid', '#d8dee4');
  const when = dateFormat(spec.locale, axisDateOptions(spec.period));
  const num = numberFormat(spec.locale, { notation: 'compact', maximumFractionDigits: 2 });
  const full = numberFormat(spec.locale);
  const font = `11px ${spec.fontFamily || 'system-ui, sans-serif'}`;
  const strokes = fieldNames.map((_, i) => color(`--_series-${(i % 3) + 1}`, '#0b63ce'));
  const marks = createMarks(fieldNames, strokes);
  // A gutter right of the plot holds the last-price labels, so none hides the live tip at the
  // right edge: wide enough for the latest values as they are now (11px digits ≈ 7px each).
  const longest = Math.max(0, ...fieldNames.map((f) => full.format(spec.last(f) ?? 0).length));
  const gutter = Math.min(120, Math.max(40, longest * 7 + 14));
  const place = (u: uPlot) => placeMarks(u, marks, fieldNames, spec.tip(), spec.last, full);
  const opts: uPlot.Options = {
    width: spec.width,
    height: spec.height,
    padding: [null, gutter, null, null],
    ms: 1,
    legend: { show: false },
    cursor: { points: { show: false } },
    scales: { x: { time: true } },
    axes: [
      { stroke: muted, font, space: 90, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, values: (_u, splits) => splits.map((v) => when.format(v)) },
      { stroke: muted, font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, size: 60, values: (_u, splits) => splits.map((v) => num.format(v)) },
    ],
    series: [
      { value: (_u, v) => (v == null ? '–' : when.format(v)) },
      ...fieldNames.map((f, i) => ({
        label: f,
        stroke: strokes[i],
        width: 1.5,
        points: { show: false },
        value: (_u: uPlot, v: number | null) => (v == null ? '–' : full.format(v)),
      })),
    ],
    hooks: { draw: [place] },
  };
  return { opts, place };
}

/** The DOM marks of one plot: per field a live-tip dot and a dashed last-price line with its label. */
interface Marks {
  layer: HTMLElement;
  tips: HTMLElement[];
  lines: HTMLElement[];
  labels: HTMLElement[];
}

function createMarks(fieldNames: readonly string[], strokes: readonly string[]): Marks {
  const make = (tag: string, cls: string, part: string) => {
    const el = document.createElement(tag);
    el.className = cls;
    el.setAttribute('part', part);
    el.hidden = true;
    return el;
  };
  const layer = document.createElement('div');
  layer.className = 'marks';
  const marks: Marks = { layer, tips: [], lines: [], labels: [] };
  fieldNames.forEach((_, i) => {
    const line = make('div', 'last', 'last-price');
    const label = make('span', 'last-label', 'last-price-label');
    const tip = make('span', 'tip', 'tip');
    // Set through the CSSOM (allowed by a strict style-src, unlike style="" text).
    for (const el of [line, label, tip]) el.style.setProperty('--_c', strokes[i]);
    marks.lines.push(line);
    marks.labels.push(label);
    marks.tips.push(tip);
    layer.append(line, label, tip);
  });
  return marks;
}

/**
 * Places the marks over the plot after a draw: moved by `transform` only (no layout), so the tip's
 * pulse, a CSS animation of opacity and transform, runs on the compositor and never redraws the
 * canvas. uPlot's `over` is the plot area, in CSS pixels, where `valToPos` measures; the labels
 * sit just right of it, in the gutter the options leave.
 */
function placeMarks(u: uPlot, marks: Marks, fieldNames: readonly string[], tip: LiveTip | null, last: (f: string) => number | undefined, format: Intl.NumberFormat): void {
  if (marks.layer.parentNode !== u.over) u.over.append(marks.layer);
  const x = tip ? u.valToPos(tip.time, 'x') : NaN;
  const shown: Array<{ i: number; y: number }> = [];
  fieldNames.forEach((f, i) => {
    const v = last(f);
    const y = v === undefined ? NaN : u.valToPos(v, 'y');
    const lineShown = Number.isFinite(y);
    marks.lines[i].hidden = marks.labels[i].hidden = !lineShown;
    if (lineShown) {
      marks.lines[i].style.transform = `translateY(${y}px)`;
      shown.push({ i, y });
      // Set only when it changed: new text is laid out and shaped again.
      const text = format.format(v!);
      if (marks.labels[i].textContent !== text) marks.labels[i].textContent = text;
    }
    const tv = tip?.values[f];
    const ty = tv == null ? NaN : u.valToPos(tv, 'y');
    const tipShown = Number.isFinite(x) && Number.isFinite(ty);
    marks.tips[i].hidden = !tipShown;
    if (tipShown) marks.tips[i].style.transform = `translate(${x}px, ${ty}px)`;
  });
  // (bbox is in canvas pixels.)
  for (const { i, y } of apart(shown, LABEL_PX, u.bbox.height / devicePixelRatio)) marks.labels[i].style.transform = `translateY(${y}px) translateY(-50%)`;
}

/** A last-price label's height in CSS pixels: 11px text at line-height 1.5 and its two 1px borders (the chart's styles). */
const LABEL_PX = 19;

/**
 * The labels' centres, moved apart as little as needed so that none covers another (close last
 * prices, a high and a low a tick apart), and kept within `0..height` where there is room.
 */
function apart(labels: Array<{ i: number; y: number }>, size: number, height: number): Array<{ i: number; y: number }> {
  const out = labels.map((l) => ({ ...l })).sort((a, b) => a.y - b.y);
  for (let k = 1; k < out.length; k++) out[k].y = Math.max(out[k].y, out[k - 1].y + size);
  const overshoot = out.length ? out[out.length - 1].y + size / 2 - height : 0;
  if (overshoot > 0) {
    out[out.length - 1].y -= overshoot;
    for (let k = out.length - 2; k >= 0; k--) out[k].y = Math.min(out[k].y, out[k + 1].y - size);
  }
  return out;
}
