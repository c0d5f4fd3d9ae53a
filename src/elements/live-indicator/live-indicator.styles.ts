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
    inline-size: var(--_dot);
    block-size: var(--_dot);
    border-radius: 50%;
    background: var(--_offline);
    flex: none;
  }
  :host([status='open']) [part='dot'] {
    background: var(--_live);
    animation: pulse 2s ease-in-out infinite;
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
  @keyframes pulse {
    50% {
      box-shadow: 0 0 0 0.3em color-mix(in srgb, var(--_live) 25%, transparent);
    }
  }
  @keyframes blink {
    50% {
      opacity: 0.35;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    [part='dot'] {
      animation: none !important;
    }
  }
`;
