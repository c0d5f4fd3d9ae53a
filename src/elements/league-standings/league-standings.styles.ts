import { css } from 'lit';

export const leagueStandingsStyles = css`
  .league + .league {
    margin-top: 1em;
  }
  caption {
    text-align: start;
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
    font-variant-numeric: tabular-nums;
  }
  th,
  td {
    padding: var(--league-standings-cell-padding, 0.35em 0.75em);
    border-bottom: 1px solid var(--_border);
    text-align: end;
  }
  th {
    color: var(--_muted);
    font-weight: 500;
  }
  .team {
    text-align: start;
    width: 100%;
  }
  .rank {
    text-align: start;
    color: var(--_muted);
  }
`;
