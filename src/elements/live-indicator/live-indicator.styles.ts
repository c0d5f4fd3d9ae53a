import { css } from 'lit';

export const liveIndicatorStyles = css`
  :host {
    --_live: var(--live-indicator-live-color, #16a34a);
    --_connecting: var(--live-indicator-connecting-color, #ca8a04);
    --_reconnecting: var(--live-indicator-reconnecting-color, #ea580c);
    --_offline: var(--live-indicator-offline-color, #6b7280);
    --_error: var(--live-indicator-error-color, #dc2626);
    --_dot: var(--live-indicator-dot-size, 0.625em);
    --_fg: var(--live-indicator-color, light-dark(#1f2937, #f3f4f6));
    --_muted: var(--live-indicator-muted-color, light-dark(#4b5563, #9ca3af));
    display: inline-flex;
    font: var(--live-indicator-font, inherit);
    font-size: var(--live-indicator-font-size, 0.875rem);
    color: var(--_fg);
  }
  :host([theme='light']) {
    color-scheme: light;
  }
  :host([theme='dark']) {
    color-scheme: dark;
  }
  [part='base'] {
    display: inline-flex;
    align-items: center;
    gap: 0.4em;
  }
  [part='dot'] {
    position: relative;
    inline-size: var(--_dot);
    block-size: var(--_dot);
    border-radius: 50%;
    background: var(--_offline);
    flex: none;
  }
  :host([status='open']) [part='dot'] {
    background: var(--_live);
  }
  /* The pulse is a ring on a pseudo-element animating only transform and opacity (a box-shadow
     pulse repainted on the main thread every frame), and it stops after three beats: even a
     compositor animation kept the main thread ticking about 7 ms a second, forever. It beats again
     each time the connection (re)opens. */
  :host([status='open']) [part='dot']::after {
    content: '';
    position: absolute;
    inset: 0;
    border-radius: 50%;
    background: var(--_live);
    opacity: 0;
    animation: pulse 2s ease-out 3;
  }
  :host([status='connecting']) [part='dot'] {
    background: var(--_connecting);
    animation: blink 1s step-end infinite;
  }
  :host([status='reconnecting']) [part='dot'] {
    background: var(--_reconnecting);
    animation: blink 1s step-end infinite;
  }
  :host([error]) [part='dot'] {
    background: var(--_error);
  }
  [part='updated'],
  [part='attempts'] {
    color: var(--_muted);
  }
  /* It ends at the ring's own opacity, 0. */
  @keyframes pulse {
    from {
      opacity: 0.5;
    }
    to {
      transform: scale(2.2);
    }
  }
  @keyframes blink {
    50% {
      opacity: 0.35;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    [part='dot'],
    [part='dot']::after {
      animation: none !important;
    }
  }
`;
