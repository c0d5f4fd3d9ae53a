import { html, type TemplateResult, type PropertyDeclarations } from 'lit';
import { defineElement } from '../define.js';
import { baseStyles } from '../shared/base.styles.js';
import { numberFormat } from '../shared/format.js';
import { LiveElement } from '../shared/live-element.js';
import { skeleton } from '../shared/skeleton.js';
import { leagueStandingsStyles } from './league-standings.styles.js';

/** One team's line in a league, as the `leagues` topic publishes it. */
export interface StandingsTeam {
  id: string;
  rank: number;
  name: string;
  wins: number;
  losses: number;
  ties?: number;
  pointsFor?: number;
}

/** The value of one key of the `leagues` topic. */
export interface League {
  name: string;
  season?: string;
  teams: StandingsTeam[];
  updatedAt?: string;
}

/**
 * A league table: rank, team, wins-losses(-ties) and points for, sorted by rank. A team whose line
 * changes is highlighted briefly (not under `prefers-reduced-motion`).
 *
 * @tag league-standings
 * @summary Live league standings.
 * @slot empty - Shown when the league has no teams yet (e.g. a "connect your league" link).
 * @slot loading - Shown while the standings load (default: a skeleton of `rows` rows).
 * @csspart base - The region around everything.
 * @csspart league - One league (a table).
 * @csspart caption - The league's name and season.
 * @csspart table - The table.
 * @csspart row - A team's row; changed rows also have the part `row-changed`.
 * @csspart row-changed - A row in its brief highlight.
 * @csspart loading - The default loading text.
 * @csspart empty - The default empty text.
 * @csspart error - The error message.
 * @csspart announcer - The polite live region (visually hidden).
 * @cssproperty [--live-bg=#ffffff] - Background (dark theme: #16191d).
 * @cssproperty [--live-fg=#1b1f24] - Text colour (dark theme: #e6e9ed).
 * @cssproperty [--live-muted=#5c6670] - Secondary text (dark theme: #9aa4ae).
 * @cssproperty [--live-border=#d8dee4] - Row separators (dark theme: #30363d).
 * @cssproperty [--live-highlight=#fff3bf] - Flash colour of a changed row (dark theme: #352d00).
 * @cssproperty [--live-flash-duration=1.5s] - How long a change stays highlighted.
 * @cssproperty [--live-font=14px/1.4 system-ui, sans-serif] - Font.
 * @cssproperty [--league-standings-cell-padding=0.35em 0.75em] - Cell padding.
 * @event {LiveChangeEvent} live-change - After a batch changed leagues; `detail.keys` are the league ids.
 */
export class LeagueStandings extends LiveElement {
  /** Lit's reactive properties (declared here, not with decorators: the decorator helpers cost bytes in every page). */
  static override properties: PropertyDeclarations = { rows: { type: Number } };

  static override styles = [baseStyles, leagueStandingsStyles];

  /**
   * How many teams to reserve room for while loading (the skeleton's rows), so the page does not
   * move when the table arrives; after that, the count last shown.
   */
  rows = 4;

  /** Teams in the table last shown: the next loading skeleton's rows. */
  private shownRows = 0;

  protected override defaultLabel(): string {
    return 'League standings';
  }

  /** The leagues to show: the one at `key`, or all of them. */
  private leagues(): Array<[string, League]> {
    const out: Array<[string, League]> = [];
    for (const [k, v] of this.items) {
      if (this.key && k !== this.key) continue;
      if (isLeague(v)) out.push([k, v]);
    }
    return out;
  }

  protected override isEmpty(): boolean {
    return this.leagues().every(([, l]) => l.teams.length === 0);
  }

  protected override describeChange(keys: readonly string[]): string {
    const names = keys.map((k) => this.items.get(k)).filter(isLeague).map((l) => l.name);
    return names.length ? `Standings updated: ${names.join(', ')}` : '';
  }

  protected override flashIds(keys: readonly string[], previous: ReadonlyMap<string, unknown>): string[] {
    // A league is one value; which of its teams changed is found by comparing each team's line.
    const ids: string[] = [];
    for (const k of keys) {
      const before = previous.get(k);
      const old = new Map(isLeague(before) ? before.teams.map((t) => [t.id, teamLine(t)]) : []);
      const now = this.items.get(k);
      if (!isLeague(now)) continue;
      for (const t of now.teams) if (old.get(t.id) !== teamLine(t)) ids.push(`${k}/${t.id}`);
    }
    return ids;
  }

  protected override renderLoading(): TemplateResult {
    return skeleton(this.shownRows || this.rows);
  }

  protected override renderBody(): TemplateResult {
    const ties = (l: League) => l.teams.some((t) => typeof t.ties === 'number');
    const pf = (l: League) => l.teams.some((t) => typeof t.pointsFor === 'number');
    const n = numberFormat(this.locale);
    const leagues = this.leagues();
    this.shownRows = leagues.reduce((sum, [, l]) => sum + l.teams.length, 0);
    return html`${leagues.map(
      ([k, league]) => html`<div class="league" part="league">
        <table part="table">
          <caption part="caption">${league.name}${league.season ? html`<span class="season">${league.season}</span>` : ''}</caption>
          <thead>
            <tr>
              <th scope="col" class="rank">#</th>
              <th scope="col" class="team">Team</th>
              <th scope="col"><abbr title="Wins">W</abbr></th>
              <th scope="col"><abbr title="Losses">L</abbr></th>
              ${ties(league) ? html`<th scope="col"><abbr title="Ties">T</abbr></th>` : ''}
              ${pf(league) ? html`<th scope="col"><abbr title="Points for">PF</abbr></th>` : ''}
            </tr>
          </thead>
          <tbody>
            ${[...league.teams].sort((a, b) => a.rank - b.rank).map(
              (t) => {
                const flash = this.isChanged(`${k}/${t.id}`);
                return html`<tr part=${flash ? 'row row-changed' : 'row'} data-team=${t.id}>
                  <td class="rank">${n.format(t.rank)}</td>
                  <th scope="row" class="team">${t.name}</th>
                  <td>${n.format(t.wins)}</td>
                  <td>${n.format(t.losses)}</td>
                  ${ties(league) ? html`<td>${typeof t.ties === 'number' ? n.format(t.ties) : ''}</td>` : ''}
                  ${pf(league) ? html`<td>${typeof t.pointsFor === 'number' ? n.format(t.pointsFor) : ''}</td>` : ''}
                </tr>`;
              },
            )}
          </tbody>
        </table>
      </div>`,
    )}`;
  }
}

function teamLine(t: StandingsTeam): string {
  return `${t.rank}|${t.name}|${t.wins}|${t.losses}|${t.ties ?? ''}|${t.pointsFor ?? ''}`;
}

function isLeague(v: unknown): v is League {
  return typeof v === 'object' && v !== null && Array.isArray((v as League).teams);
}

defineElement('league-standings', LeagueStandings);

declare global {
  interface HTMLElementTagNameMap {
    'league-standings': LeagueStandings;
  }
}
