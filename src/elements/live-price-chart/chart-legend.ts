import { html, type TemplateResult } from 'lit';
import { dateFormat, numberFormat } from '../shared/format.js';
import type { ChartModel } from './chart-model.js';

/**
 * The legend row: each field's latest drawn value, the live tip's time, and "● LIVE" while the
 * stream is open. Each entry has a column of its own, the live tip's and LIVE's too (hidden while
 * off, their place kept): a value's width changes nothing else's place.
 */
export function renderLegend(model: ChartModel, locale: string | null, streamOpen: boolean): TemplateResult {
  const num = numberFormat(locale);
  const tip = model.liveTip;
  return html`<dl part="legend" class="legend">
    ${model.fieldNames.map(
      (f, i) => html`<div>
        <dt><span class="swatch"></span> ${f}</dt>
        <dd>${latest(model, i, num) ?? '–'}</dd>
      </div>`,
    )}
    <div class=${tip ? '' : 'off'}><dt part="live-tip" class="tip-label">● live</dt><dd>${tip ? dateFormat(locale, { timeStyle: 'medium' }).format(tip.time) : ''}</dd></div>
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
