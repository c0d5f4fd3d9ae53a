import { html, type TemplateResult } from 'lit';
import { dateFormat, numberFormat } from '../shared/format.js';
import type { ChartModel } from './chart-model.js';

/**
 * The legend row: each field's latest drawn value, the live tip's time, and "● LIVE" while the
 * stream is open (the live tip's and LIVE's places are kept while they are off). A value is never
 * cut: it has a width reserved for the values of its field ({@link reserveLegendWidths}), so a new
 * value moves nothing after it; where the row is too narrow for everything, what does not fit
 * leaves the row whole (the live tip's time first, then the last values; LIVE has its own room),
 * see the chart's styles.
 */
export function renderLegend(model: ChartModel, locale: string | null, streamOpen: boolean): TemplateResult {
  const num = numberFormat(locale);
  const tip = model.liveTip;
  return html`<dl part="legend" class="legend">
    ${model.fieldNames.map(
      (f, i) => html`<div>
        <dt><span class="swatch"></span> ${f}</dt>
        <dd class="value">${latest(model, i, num) ?? '–'}</dd>
      </div>`,
    )}
    <div class=${tip ? 'tip-entry' : 'tip-entry off'}><dt part="live-tip" class="tip-label">● live</dt><dd>${tip ? dateFormat(locale, { timeStyle: 'medium' }).format(tip.time) : ''}</dd></div>
    <div class=${streamOpen ? 'live' : 'live off'}><dt part="live"><span aria-hidden="true">●</span> LIVE</dt></div>
  </dl>`;
}

/** The latest drawn values for the plot's accessible name (`high 159, low 149`); null while nothing is drawn. */
export function describeLatest(model: ChartModel, locale: string | null): string | null {
  if (model.data[0].length === 0) return null;
  const num = numberFormat(locale);
  return model.fieldNames.map((f, i) => `${f} ${latest(model, i, num) ?? 'none'}`).join(', ');
}

/** Field `i`'s newest drawn value, formatted; null when there is none. */
function latest(model: ChartModel, i: number, num: Intl.NumberFormat): string | null {
  const v = model.data[i + 1][model.data[0].length - 1];
  return v == null ? null : num.format(v);
}

/** Per chart model: the fields it reserved widths for, the data last looked at, which fields have decimals or signs, each field's width in characters. */
const reserved = new WeakMap<ChartModel, { fields: string; data: unknown; extra: number[]; chars: number[] }>();

/**
 * Gives each legend value (`dd.value` under `root`) a minimum width, in `ch`, for the values its
 * field can show next: the integer part of the value shown with room for one more digit (a price
 * crossing 9,999 → 10,000; one crossing 999,999 grows once, by the new group separator), and a
 * minus sign and three decimals where the field's data has them. The value shown is the latest
 * quote, the same in every period, so a period switch keeps the widths (a history's extremes
 * would not); digits are tabular (1ch each), so a new quote fits the same width however many
 * decimals it has. Widths only grow while the fields are the same. Set through the CSSOM: a
 * strict style-src refuses `style` attributes.
 */
export function reserveLegendWidths(root: ParentNode, model: ChartModel, locale: string | null): void {
  const num = numberFormat(locale);
  const fields = model.fieldNames.join();
  let r = reserved.get(model);
  if (!r || r.fields !== fields) reserved.set(model, (r = { fields, data: null, extra: model.fieldNames.map(() => 0), chars: model.fieldNames.map(() => 0) }));
  const { chars, extra } = r;
  // Decimals and signs in a new history (or the same reduced anew), looked for once per data.
  if (r.data !== model.data) {
    r.data = model.data;
    model.fieldNames.forEach((_, i) => {
      let sign = extra[i] & 1;
      let decimals = extra[i] & 4;
      for (const v of model.data[i + 1]) {
        if (v != null && v < 0) sign = 1;
        if (v != null && !Number.isInteger(v)) decimals = 4;
      }
      extra[i] = sign + decimals;
    });
  }
  root.querySelectorAll<HTMLElement>('dd.value').forEach((dd, i) => {
    const v = model.data[i + 1]?.[model.data[0].length - 1];
    if (v != null) chars[i] = Math.max(chars[i], num.format(Math.trunc(Math.abs(v))).length + 1 + extra[i], dd.textContent!.length);
    // Written only when it changes: a write restyles the element even when the value is the same.
    if (dd.style.minWidth != `${chars[i]}ch`) dd.style.minWidth = `${chars[i]}ch`;
  });
}
