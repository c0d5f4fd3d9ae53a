import { html, type TemplateResult } from 'lit';

/**
 * A widget's default loading state: "Loading…" in a box at least as tall as `rows` rows of its
 * data (each element's styles set `--_row`, the height of one, and `--_head`, what comes above
 * them), drawn as empty rows. With the widget's floor (it never shrinks) the page around it does
 * not move when the data comes. The height is set through the CSSOM (a property binding), which a
 * strict `style-src` allows.
 */
export function skeleton(rows: number): TemplateResult {
  return html`<div part="loading" class="state sk" .style=${`--rows:${rows}`}>Loading…</div>`;
}
