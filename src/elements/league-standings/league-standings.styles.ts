import { css } from 'lit';

/*
 * A fixed table layout with one-line cells: columns keep their width and rows their height
 * whatever the numbers and names, and every cell's text starts at its start edge (a right-aligned
 * number that gains a digit would move), so a live update moves nothing; a long name is cut with
 * an ellipsis. Below 22em the cells narrow (the table is its own size container).
 */
export const leagueStandingsStyles = css`
  :host {
    container-type: inline-size;
    --_head: calc(4.5em + 1px);
    --_row: calc(2.1em + 1px);
  }
  .league + .league {
    margin-top: 1em;
  }
  caption {
    font-weight: 600;
    padding: 0.5em 0.75em;
  }
  .season {
    color: var(--_muted);
    font-weight: 400;
    margin-inline-start: 0.5em;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    table-layout: fixed;
    font-variant-numeric: tabular-nums;
  }
  caption,
  th,
  td {
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    text-align: start;
  }
  th,
  td {
    width: 3.5em;
    padding: var(--league-standings-cell-padding, 0.35em 0.75em);
    border-bottom: 1px solid var(--_border);
  }
  th {
    color: var(--_muted);
    font-weight: 500;
  }
  .team {
    width: auto;
  }
  .rank {
    color: var(--_muted);
    width: 3em;
  }
  @container (width < 22em) {
    th,
    td {
      width: 2.6em;
      padding-inline: 0.4em;
    }
  }
`;
