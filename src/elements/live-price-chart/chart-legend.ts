import { html, type TemplateResult } from 'lit';
import { dateFormat, numberFormat } from '../shared/format.js';
import type { ChartModel } from './chart-model.js';

/**
 * The legend row: each field's latest drawn value, the live tip's time, and "● LIVE" while the
 * stream is open (the live tip's and LIVE's places are kept while they are off). A value is never
 * cut: it has a width reserved for the widest value of its field ({@link reserveLegendWidths}), so
 * a new value moves nothing after it; where the row is too narrow for everything, what does not
 * fit leaves the row whole (the live tip's time first, then LIVE, then the last values), see the
 * chart's styles.
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

/** Per chart model: the fields it reserved widths for, the data they were measured on, each field's width in characters. */
const reserved = new WeakMap<ChartModel, { fields: string; data: unknown; chars: number[] }>();

/**
 * Gives each legend value (`dd.value` under `root`) a minimum width, in `ch`, for the widest value
 * its field has had: its history's largest magnitude, with room for a minus sign and three decimals
 * where the history has them, and every value shown since. Digits are tabular (1ch each), so a
 * new value of the same magnitude, however many decimals it has, fits in the same width. Widths
 * only grow while the fields are the same (a period switch keeps them). Set through the CSSOM:
 * a strict style-src refuses `style` attributes.
 */
export function reserveLegendWidths(root: ParentNode, model: ChartModel, locale: string | null): void {
  const num = numberFormat(locale);
  const fields = model.fieldNames.join();
  let r = reserved.get(model);
  if (!r || r.fields !== fields) reserved.set(model, (r = { fields, data: null, chars: model.fieldNames.map(() => 0) }));
  const { chars } = r;
  // A new history, or the same reduced anew: measured once per data, not on every live point.
  if (r.data !== model.data) {
    r.data = model.data;
    model.fieldNames.forEach((_, i) => {
      let big = 0;
      let sign = 0;
      let decimals = 0;
      for (const v of model.data[i + 1]) {
        if (v == null) continue;
        big = Math.max(big, Math.abs(v));
        if (v < 0) sign = 1;
        if (!Number.isInteger(v)) decimals = 4;
      }
      chars[i] = Math.max(chars[i], num.format(Math.trunc(big)).length + sign + decimals);
    });
  }
  root.querySelectorAll<HTMLElement>('dd.value').forEach((dd, i) => {
    chars[i] = Math.max(chars[i] ?? 0, dd.textContent!.length);
    dd.style.minWidth = `${chars[i]}ch`;
  });
}
