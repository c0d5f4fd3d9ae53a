import { css } from 'lit';

export const liveTickerStyles = css`
  :host {
    --_up: var(--live-up, var(--_ok));
    --_down: var(--live-down, var(--_danger));
    --_gap: var(--live-ticker-gap, 2em);
    /* One fixed height in every state (loading, empty, ready): a page reserves it and nothing shifts. */
    height: var(--live-ticker-height, 2.5rem);
    overflow: hidden;
  }
  [part='base'] {
    height: 100%;
    display: flex;
    align-items: center;
  }
  .bar,
  .state {
    flex: 1;
    min-width: 0;
  }
  .state {
    padding-block: 0;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .bar {
    display: flex;
    align-items: center;
  }
  .viewport {
    flex: 1;
    min-width: 0;
    overflow: hidden;
    padding-block: 0.25em;
    outline-offset: -2px;
  }
  .track {
    display: flex;
    width: max-content;
  }
  :host([scrolling]) .track {
    /* transform only: the compositor moves it, no layout or paint per frame. */
    animation: live-ticker-scroll var(--_duration, 30s) linear infinite;
    will-change: transform;
  }
  :host([paused]) .track,
  :host(:hover) .track,
  :host(:focus-within) .track,
  :host([data-unseen]) .track {
    animation-play-state: paused;
  }
  @keyframes live-ticker-scroll {
    to {
      transform: translateX(-50%);
    }
  }
  ul {
    display: flex;
    gap: var(--_gap);
    margin: 0;
    padding: 0 var(--_gap) 0 0;
    list-style: none;
    white-space: nowrap;
    font-variant-numeric: tabular-nums;
  }
  :host(:not([scrolling])) ul[aria-hidden='true'] {
    display: none;
  }
  li {
    display: flex;
    gap: 0.5em;
    align-items: baseline;
  }
  /* The shared flash of a changed item (base.styles.ts), a little around it. */
  li[part]::after {
    inset: -0.15em -0.35em;
    border-radius: var(--_radius);
  }
  [part~='symbol'],
  [part~='team'] {
    font-weight: 600;
  }
  /* Room for the usual widths of each part, every text at its part's start, and each part keeping
     the widest it has been (a floor set from script): a price gaining a digit, a score changing or
     a game going from its start time to its clock moves nothing after it (a layout shift on the
     host page). */
  [part~='price'] {
    min-width: 10ch;
  }
  [part~='change'] {
    min-width: 8.5ch;
  }
  .arrow {
    display: inline-block;
    width: 1em;
  }
  [part~='change-percent'] {
    min-width: 7.5ch;
  }
  [part~='team'] {
    min-width: 3.5ch;
  }
  .score {
    min-width: 3ch;
  }
  .vs {
    width: 1em;
  }
  /* As wide as a wide start time (data-widest), bold like a live game's clock. */
  [part~='status']::after {
    content: attr(data-widest);
    display: block;
    height: 0;
    overflow: hidden;
    font-weight: 600;
    text-transform: none;
  }
  [data-direction='up'] :is([part~='change'], [part~='change-percent']) {
    color: var(--_up);
  }
  [data-direction='down'] :is([part~='change'], [part~='change-percent']) {
    color: var(--_down);
  }
  [part~='status'] {
    color: var(--_muted);
    font-size: 0.85em;
  }
  [data-status='live'] [part~='status'] {
    color: var(--_danger);
    font-weight: 600;
  }
  [data-status='final'] [part~='status'] {
    text-transform: uppercase;
  }
  button {
    font: inherit;
    color: var(--_muted);
    background: none;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    margin: 0 0.5em;
    padding: 0.1em 0.5em;
    cursor: pointer;
  }
  :host(:not([scrolling])) button {
    display: none;
  }
  @media (prefers-reduced-motion: reduce) {
    /* A static list the reader scrolls. */
    :host([scrolling]) .track {
      animation: none;
    }
    .viewport {
      overflow-x: auto;
    }
    ul[aria-hidden='true'],
    :host([scrolling]) button {
      display: none;
    }
  }
`;
