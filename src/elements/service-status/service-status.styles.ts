import { css } from 'lit';

export const serviceStatusStyles = css`
  table {
    width: 100%;
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
  }
  th,
  td {
    padding: var(--service-status-cell-padding, 0.4em 0.75em);
    border-bottom: 1px solid var(--_border);
    text-align: start;
    vertical-align: middle;
  }
  thead th {
    color: var(--_muted);
    font-weight: 500;
  }
  .num {
    text-align: end;
  }
  .badge {
    display: inline-block;
    padding: 0.1em 0.6em;
    border-radius: 999px;
    font-size: 0.85em;
    font-weight: 600;
    color: var(--_badge, var(--_muted));
    border: 1px solid currentColor;
    white-space: nowrap;
  }
  .badge[data-status='running'] {
    --_badge: var(--service-status-running, var(--_accent));
  }
  .badge[data-status='completed'] {
    --_badge: var(--service-status-completed, var(--_ok));
  }
  .badge[data-status='failed'] {
    --_badge: var(--service-status-failed, var(--_danger));
  }
  .badge[data-status='degraded'] {
    --_badge: var(--service-status-degraded, var(--_warn));
  }
  .progress {
    display: block;
    height: var(--service-status-bar-height, 6px);
    min-width: 4em;
    background: var(--_border);
    border-radius: 999px;
    overflow: hidden;
  }
  .progress > span {
    display: block;
    height: 100%;
    background: var(--_accent);
    transition: width 0.3s ease-out;
  }
  @media (prefers-reduced-motion: reduce) {
    .progress > span {
      transition: none;
    }
  }
  .message,
  time {
    color: var(--_muted);
  }
`;
