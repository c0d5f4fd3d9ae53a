// Sequin record transforms for the relay: `TRANSFORMS=./examples/transforms.mjs npm start`.
//
// Each exported function is named after a table and maps one Sequin message
// ({record, changes, action, metadata}) to zero or more events {topic, key, op, data}: one event,
// an array, or null for none. The relay validates what they return like a publish; a function that
// throws refuses the whole delivery (Sequin retries it), so nothing is half-applied.

/**
 * `yahoo_leagues`: a row per league whose `data` JSONB column holds Yahoo's FantasyContent
 * (`fantasy_content.league[0]` the league, `league[1].standings[0].teams` the teams), into the
 * value `<league-standings topic="leagues">` shows, keyed by the league key.
 */
export function yahoo_leagues(message) {
  const { record, action } = message;
  const key = String(record.league_key);
  if (action === 'delete') return { topic: 'leagues', key, op: 'delete' };
  const [league, details] = record.data?.fantasy_content?.league ?? [];
  if (!league || !details) throw new Error(`record ${key}: data.fantasy_content.league must be [league, {standings}]`);
  const teams = Object.entries(details.standings?.[0]?.teams ?? {})
    .filter(([index]) => index !== 'count')
    .map(([, entry]) => team(entry.team));
  return {
    topic: 'leagues',
    key,
    op: 'upsert',
    data: { name: String(league.name), season: String(league.season), teams, updatedAt: record.updated_at },
  };
}

/** One of Yahoo's `team` arrays: [[{team_key}, {team_id}, {name}, …], {team_points}, {team_standings}]. */
function team([facts, ...rest]) {
  // Yahoo writes a team's facts as a list of one-field objects (and empty arrays): merge them.
  const t = Object.assign({}, ...facts.filter((f) => !Array.isArray(f)), ...rest);
  const standings = t.team_standings;
  const totals = standings.outcome_totals;
  return {
    id: String(t.team_key),
    rank: Number(standings.rank),
    name: String(t.name),
    wins: Number(totals.wins),
    losses: Number(totals.losses),
    ties: Number(totals.ties),
    pointsFor: Number(standings.points_for),
  };
}
