import { css } from 'lit';

/*
 * A fixed table layout with one-line cells of a fixed height: columns keep their width, rows
 * their height and every cell's text its start (a right-aligned count that gains a digit would
 * move) whatever the data, so a live update moves nothing. Below 48em (the table is its own size
 * container), where the six columns would leave the name and the message a few letters and cut
 * the time, each service stacks into three lines of two fixed columns: name and status, progress
 * and counts, message and time.
 */
export const serviceStatusStyles = css`
  :host {
    container-type: inline-size;
    --_head: calc(3.6em + 1px);
    --_row: calc(2.4em + 1px);
  }
  table {
    width: 100%;
    border-collapse: collapse;
    table-layout: fixed;
    font-variant-numeric: tabular-nums;
  }
  th,
  td {
    padding: var(--service-status-cell-padding, 0.4em 0.75em);
    border-bottom: 1px solid var(--_border);
    text-align: start;
  }
  tbody :is(th, td) {
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  thead th {
    color: var(--_muted);
    font-weight: 500;
    /* A header longer than its column (Message, when the others leave it little room) is cut at
       the column's edge, not drawn over the next header. */
    overflow: hidden;
  }
  thead th:nth-child(1) {
    width: 24%;
  }
  thead th:nth-child(2) {
    width: 7.5em;
  }
  thead th:nth-child(3) {
    width: 6em;
  }
  thead th:nth-child(4) {
    width: 8em;
  }
  /* "12 seconds ago" whole. */
  thead th:nth-child(6) {
    width: 9.5em;
  }
  .badge {
    display: inline-block;
    padding: 0.1em 0.6em;
    border-radius: 999px;
    font-size: 0.85em;
    font-weight: 600;
    color: var(--_badge, var(--_muted));
    border: 1px solid currentColor;
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
  /* Filled by a scale, not a width: a new value repaints the bar alone, lays out nothing. It moves
     in one step, not by a transition: in Chromium a running transition (even one the compositor
     runs) makes the host page produce a main-thread frame for each of its steps, and a dashboard's
     services move several times a second. */
  .progress > span {
    display: block;
    height: 100%;
    background: var(--_accent);
    transform-origin: 0;
  }
  .message,
  time {
    color: var(--_muted);
  }
  @container (width < 48em) {
    thead {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
    }
    table,
    thead,
    tbody {
      display: block;
    }
    tbody > tr {
      display: grid;
      grid: auto-flow 1.75em / minmax(0, 1fr) 9em;
      gap: 0 1em;
      align-items: center;
      padding: var(--service-status-cell-padding, 0.4em 0.75em);
      border-bottom: 1px solid var(--_border);
    }
    tbody :is(th, td) {
      padding: 0;
      border: 0;
    }
    /* A row is a grid here: it draws its flash itself, not its cells. */
    tr[part$='-changed']::after {
      display: block;
    }
    tr[part$='-changed'] > ::after {
      display: none;
    }
    .sk {
      --_head: 0px;
      --_row: calc(6.05em + 1px);
    }
  }
`;
