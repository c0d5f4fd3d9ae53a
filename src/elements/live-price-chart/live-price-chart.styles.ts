import { css } from 'lit';

/** The parts of uPlot's own stylesheet the chart needs inside its shadow root (its legend is not used). */
const uplotStyles = css`
  .uplot,
  .uplot * {
    box-sizing: border-box;
  }
  .uplot {
    line-height: 1.5;
    width: min-content;
  }
  .u-wrap {
    position: relative;
    user-select: none;
  }
  .u-over,
  .u-under {
    position: absolute;
  }
  .u-under {
    overflow: hidden;
  }
  .uplot canvas {
    display: block;
    position: relative;
    width: 100%;
    height: 100%;
  }
  .u-axis {
    position: absolute;
  }
  .u-select {
    background: rgba(127, 127, 127, 0.12);
    position: absolute;
    pointer-events: none;
  }
  .u-cursor-x,
  .u-cursor-y {
    position: absolute;
    left: 0;
    top: 0;
    pointer-events: none;
    will-change: transform;
  }
  .u-hz .u-cursor-x {
    height: 100%;
    border-right: 1px dashed var(--_muted);
  }
  .u-hz .u-cursor-y {
    width: 100%;
    border-bottom: 1px dashed var(--_muted);
  }
  .u-cursor-pt {
    position: absolute;
    top: 0;
    left: 0;
    border-radius: 50%;
    border: 0 solid;
    pointer-events: none;
    will-change: transform;
    background-clip: padding-box !important;
  }
  .u-axis.u-off,
  .u-select.u-off,
  .u-cursor-x.u-off,
  .u-cursor-y.u-off,
  .u-cursor-pt.u-off {
    display: none;
  }
`;

export const livePriceChartStyles = [
  uplotStyles,
  css`
    :host {
      --_series-1: var(--live-price-chart-series-1, #0b63ce);
      --_series-2: var(--live-price-chart-series-2, #d9480f);
      --_series-3: var(--live-price-chart-series-3, #2b8a3e);
      --_tip: var(--live-price-chart-tip, #e8590c);
      --_grid: var(--live-price-chart-grid, var(--_border));
    }
    :host([theme='dark']) {
      --_series-1: var(--live-price-chart-series-1, #5aa2ff);
      --_series-2: var(--live-price-chart-series-2, #ff8c42);
      --_series-3: var(--live-price-chart-series-3, #69db7c);
      --_tip: var(--live-price-chart-tip, #ffa94d);
    }
    @media (prefers-color-scheme: dark) {
      :host(:not([theme='light']):not([theme='dark'])) {
        --_series-1: var(--live-price-chart-series-1, #5aa2ff);
        --_series-2: var(--live-price-chart-series-2, #ff8c42);
        --_series-3: var(--live-price-chart-series-3, #69db7c);
        --_tip: var(--live-price-chart-tip, #ffa94d);
      }
    }
    /* Legend row and plot always take their final size (a page's height on the element is
       shared out between them); a state is laid over the plot; nothing drawn leaves the box. */
    :host {
      container-type: inline-size;
    }
    [part='base'] {
      position: relative;
      display: flex;
      flex-direction: column;
      height: 100%;
    }
    .plot {
      position: relative;
      flex: 1 1 auto;
      min-height: 0;
      height: var(--live-price-chart-height, 240px);
      overflow: hidden;
    }
    .state,
    ::slotted(*) {
      position: absolute;
      inset: 2em 0 0;
      background: var(--_bg);
    }
    /* One line, never a cut value: an entry that does not fit on it goes whole to the next line,
       out of sight (the row-gap puts it below the row's height). A zero-width first item makes
       even the first value go rather than be cut. LIVE has its own room at the row's end (the
       right padding), out of the flow, so it never leaves the row, nor depends on the values. The
       live tip takes the room left between the values and LIVE, and never pushes anything (its
       margins cancel the gap before it); with too little room it shows nothing, and its time goes
       before its label. */
    .legend {
      position: relative;
      display: flex;
      flex-wrap: wrap;
      align-content: flex-start;
      align-items: center;
      gap: 2em 1em;
      height: 2em;
      padding: 0.3em 4.25em 0.3em 0.5em;
      margin: 0;
      overflow: hidden;
      white-space: nowrap;
      font-variant-numeric: tabular-nums;
    }
    .legend::before,
    .legend > .tip-entry::before {
      content: '';
      margin-right: -1em;
    }
    .legend div {
      display: flex;
      gap: 0.35em;
      align-items: baseline;
      flex: none;
    }
    .legend > .live {
      position: absolute;
      top: 0.3em;
      right: 0.5em;
      height: 1.4em;
      align-items: center;
    }
    .legend > .tip-entry {
      flex: 1 1 0;
      min-width: 0;
      margin-left: -2em;
      padding-left: 1em;
      flex-wrap: wrap;
      row-gap: 2em;
      height: 1.4em;
      overflow: hidden;
      container-type: inline-size;
    }
    .legend > .tip-entry::before {
      margin-right: -0.35em;
    }
    @container (width < 10em) {
      .tip-entry > * {
        visibility: hidden;
      }
    }
    .legend .off {
      visibility: hidden;
    }
    .legend dt {
      color: var(--_muted);
    }
    .legend dd {
      margin: 0;
      font-weight: 600;
    }
    /* A narrow chart (a phone, a third of a dashboard) has a smaller legend: two seven-digit
       prices and LIVE still fit from 22em up. */
    @container (width < 30em) {
      .legend {
        padding-right: 3.6em;
      }
      .legend div {
        font-size: 0.85em;
      }
    }
    .swatch {
      display: inline-block;
      width: 0.8em;
      height: 0.25em;
      vertical-align: middle;
      border-radius: 1px;
      background: var(--_series-1);
    }
    div:nth-child(3n + 2) > dt > .swatch {
      background: var(--_series-2);
    }
    div:nth-child(3n) > dt > .swatch {
      background: var(--_series-3);
    }
    .tip-label {
      color: var(--_tip);
      font-size: 0.85em;
    }
    /* The word in the text colour (contrast), its dot in the tip's. */
    [part='live'] {
      color: var(--_fg);
      font-size: 0.85em;
      font-weight: 600;
      letter-spacing: 0.04em;
    }
    [part='live'] span {
      color: var(--_tip);
    }
    /* Marks laid over the plot area (uPlot's .u-over), moved by transform only. */
    .marks,
    .last,
    .last-label,
    .tip {
      position: absolute;
      top: 0;
      left: 0;
      pointer-events: none;
    }
    .marks {
      inset: 0;
    }
    .last {
      right: 0;
      border-top: 1px dashed var(--_c);
      opacity: 0.8;
    }
    .last-label {
      left: 100%;
      margin-left: 6px;
      white-space: nowrap;
      padding: 0 0.3em;
      border-radius: 2px;
      font-size: 11px;
      line-height: 1.5;
      font-variant-numeric: tabular-nums;
      color: var(--_fg);
      background: var(--_bg);
      border: 1px solid var(--_c);
    }
    .tip {
      width: 8px;
      height: 8px;
      margin: -4px;
      border-radius: 50%;
      background: var(--_tip);
      box-shadow: 0 0 0 1.5px var(--_bg);
    }
    /* The pulse: opacity and transform only, so the compositor runs it and the canvas is never
       redrawn; three beats each time a tip appears (a new bucket), not forever: even a compositor
       animation keeps the host page's main thread ticking every frame while it runs. */
    .tip::before {
      content: '';
      position: absolute;
      inset: 0;
      border-radius: 50%;
      background: var(--_tip);
      opacity: 0;
      animation: tip-pulse 2s ease-out 3;
    }
    :host([data-unseen]) .tip::before {
      animation-play-state: paused;
    }
    @keyframes tip-pulse {
      from {
        opacity: 0.6;
        transform: scale(1);
      }
      to {
        opacity: 0;
        transform: scale(3);
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .tip::before {
        animation: none;
      }
    }
    [hidden] {
      display: none !important;
    }
  `,
];
