import { css } from 'lit';

/**
 * Theme tokens shared by every widget. Each public custom property (`--live-*`) wins over the
 * theme; the private `--_*` ones are what the widgets' own styles read. `theme="auto"` (the
 * default) follows `prefers-color-scheme`.
 */
export const baseStyles = css`
  :host {
    --_bg: var(--live-bg, #ffffff);
    --_fg: var(--live-fg, #1b1f24);
    --_muted: var(--live-muted, #5c6670);
    --_border: var(--live-border, #d8dee4);
    --_accent: var(--live-accent, #0b63ce);
    --_highlight: var(--live-highlight, #fff3bf);
    --_danger: var(--live-danger, #c62828);
    --_ok: var(--live-ok, #2e7d32);
    --_warn: var(--live-warn, #b26a00);
    --_radius: var(--live-radius, 6px);
    display: block;
    box-sizing: border-box;
    color: var(--_fg);
    background: var(--_bg);
    font: var(--live-font, 14px/1.4 system-ui, sans-serif);
    border-radius: var(--_radius);
  }
  :host([hidden]) {
    display: none;
  }
  :host([theme='dark']) {
    --_bg: var(--live-bg, #16191d);
    --_fg: var(--live-fg, #e6e9ed);
    --_muted: var(--live-muted, #9aa4ae);
    --_border: var(--live-border, #30363d);
    --_accent: var(--live-accent, #5aa2ff);
    --_highlight: var(--live-highlight, #4a3f00);
    --_danger: var(--live-danger, #ff6b6b);
    --_ok: var(--live-ok, #5fd068);
    --_warn: var(--live-warn, #f0b429);
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light']):not([theme='dark'])) {
      --_bg: var(--live-bg, #16191d);
      --_fg: var(--live-fg, #e6e9ed);
      --_muted: var(--live-muted, #9aa4ae);
      --_border: var(--live-border, #30363d);
      --_accent: var(--live-accent, #5aa2ff);
      --_highlight: var(--live-highlight, #4a3f00);
      --_danger: var(--live-danger, #ff6b6b);
      --_ok: var(--live-ok, #5fd068);
      --_warn: var(--live-warn, #f0b429);
    }
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
  .state[part~='error'] {
    color: var(--_danger);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  .changed {
    animation: live-flash var(--live-flash-duration, 1.5s) ease-out;
  }
  @keyframes live-flash {
    from {
      background: var(--_highlight);
    }
    to {
      background: transparent;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .changed {
      animation: none;
    }
  }
`;
