import { css } from 'lit';

/**
 * Theme tokens shared by every widget. Each public custom property (`--live-*`) wins over the
 * theme; the private `--_*` ones are what the widgets' own styles read. Each colour is
 * `light-dark(light, dark)`: the host's `color-scheme` picks, so `theme="auto"` (the default)
 * follows `prefers-color-scheme` and `light`/`dark` force one, from one list of colours.
 *
 * Layout: a widget never shrinks (its height is kept as its `min-height`, from script) and its
 * loading state (`.sk`, see skeleton.ts) is as tall as `--rows` rows of its data (`--_row` each,
 * `--_head` above them, set by each widget), so the page around it does not move. A page's own
 * `min-height`/`height` on the element wins over these.
 */
export const baseStyles = css`
  :host {
    color-scheme: light dark;
    --_bg: var(--live-bg, light-dark(#fff, #16191d));
    --_fg: var(--live-fg, light-dark(#1b1f24, #e6e9ed));
    --_muted: var(--live-muted, light-dark(#5c6670, #9aa4ae));
    --_border: var(--live-border, light-dark(#d8dee4, #30363d));
    --_accent: var(--live-accent, light-dark(#0b63ce, #5aa2ff));
    --_highlight: var(--live-highlight, light-dark(#fff3bf, #352d00));
    --_danger: var(--live-danger, light-dark(#c62828, #ff6b6b));
    --_ok: var(--live-ok, light-dark(#2e7d32, #5fd068));
    --_warn: var(--live-warn, light-dark(#9c5d00, #f0b429));
    --_radius: var(--live-radius, 6px);
    display: block;
    box-sizing: border-box;
    color: var(--_fg);
    background: var(--_bg);
    font: var(--live-font, 14px/1.4 system-ui, sans-serif);
    border-radius: var(--_radius);
  }
  :host([theme='light']) {
    color-scheme: light;
  }
  :host([theme='dark']) {
    color-scheme: dark;
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  .state {
    padding: 0.75em;
    color: var(--_muted);
  }
  [part='error'] {
    color: var(--_danger);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .sk {
    height: calc(var(--_head, 0px) + var(--rows) * var(--_row));
  }
  /* A changed row's or item's flash (its part then ends in -changed): a pseudo-element behind
     its content (z-index -1 in the row's own stacking context), shown while the part lasts
     (--live-flash-duration) and gone with it; none under reduced motion. Not animated: a page
     with a few fades running at once made a main-thread frame several times a second (restyle,
     commit) where a steady highlight makes none. A table row's cells each draw it: the row's own
     would be laid out as one more cell. */
  [part$='-changed'],
  tr[part$='-changed'] > * {
    position: relative;
    z-index: 0;
  }
  @media (prefers-reduced-motion: no-preference) {
    [part$='-changed']::after,
    tr[part$='-changed'] > ::after {
      content: '';
      position: absolute;
      inset: 0;
      z-index: -1;
      background: var(--_highlight);
    }
  }
  tr[part$='-changed']::after {
    display: none;
  }
`;
