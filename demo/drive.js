// The drive page: shows copy-able curl commands for this relay, filled with its real settings
// (/demo/info.json: a secret set in the relay's environment appears as the name of its variable;
// only the webhook secret `npm start` generated for this session is shown, and only to a visitor on
// the relay's own machine), and can send the same requests from the page.

const relay = location.origin;
document.getElementById('relay-url').textContent = relay;

/** Quotes a string for a POSIX shell. */
const sh = (s) => `'${String(s).replaceAll("'", `'\\''`)}'`;

/** A sample league row as a Sequin message: the current standings of one league, with one more win. */
function sequinMessage(leagueKey, league) {
  const teams = Array.isArray(league?.teams) ? structuredClone(league.teams) : [];
  if (teams.length === 0) {
    teams.push({ id: 'a', rank: 1, name: 'Harbor City', wins: 3, losses: 0 }, { id: 'b', rank: 2, name: 'North Vale', wins: 1, losses: 2 });
  }
  // The last-placed team wins one: the row changes visibly and the ranks are recomputed.
  teams.sort((a, b) => a.rank - b.rank);
  teams[teams.length - 1].wins += 1;
  teams.sort((a, b) => b.wins - a.wins || a.losses - b.losses);
  teams.forEach((t, i) => { t.rank = i + 1; });
  return {
    record: { id: leagueKey, name: league?.name ?? 'Demo league', season: league?.season, teams, updatedAt: new Date().toISOString() },
    changes: { updatedAt: league?.updatedAt ?? null },
    action: 'update',
    metadata: {
      table_schema: 'public',
      table_name: 'leagues',
      commit_timestamp: new Date().toISOString(),
      idempotency_key: `drive-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
      consumer: { id: 'demo', name: 'leagues-webhook' },
    },
  };
}

function publishEvent() {
  const pct = Math.floor(Math.random() * 100);
  return {
    topic: 'services',
    key: 'manual-job',
    op: 'upsert',
    data: { name: 'Manual job', status: 'running', progress: pct, queued: 100 - pct, processed: pct, message: 'sent from the drive page', updatedAt: new Date().toISOString() },
  };
}

async function load() {
  const info = await (await fetch('/demo/info.json')).json();
  const leagues = await fetch('/v1/topics/leagues').then((r) => (r.ok ? r.json() : null)).catch(() => null);
  const leagueKey = Object.keys(leagues?.items ?? {})[0] ?? 'premier';
  document.getElementById('drive-league').setAttribute('key', leagueKey);

  const publishAuth = info.publish.auth === 'token' ? `$${info.publish.tokenEnv}` : null;
  const sequinAuth = info.sequin.bearer ? (info.sequin.secret ?? `$${info.sequin.secretEnv}`) : null;
  const notes = [];
  notes.push(publishAuth
    ? 'Publishing needs "Authorization: Bearer <PUBLISH_TOKEN>"; the token stays in the relay\'s environment, so run the command in a shell where PUBLISH_TOKEN is set (the Send button cannot publish).'
    : 'PUBLISH_TOKEN is not set, so only callers on the relay\'s own machine (loopback) may publish: this is the demo.');
  notes.push(sequinAuth
    ? 'The Sequin webhook takes "Authorization: Bearer <SEQUIN_WEBHOOK_SECRET>", as Sequin sends it.'
    : 'SEQUIN_WEBHOOK_SECRET is not set, so the webhook refuses every delivery: start the relay with SEQUIN_WEBHOOK_SECRET=<16+ characters> to try it.');
  if (info.sequin.secretSource === 'environment') notes.push('SEQUIN_WEBHOOK_SECRET was set in the relay\'s environment, so it is shown as the variable\'s name: run the command where it is set.');
  else if (info.sequin.secretSource === 'session' && !info.loopback) notes.push('This session\'s webhook secret is shown only on the relay\'s own machine (http://localhost:PORT/drive.html).');
  document.getElementById('auth-note').textContent = notes.join(' ');

  const publishBody = JSON.stringify(publishEvent(), null, 2);
  const sequinBody = JSON.stringify(sequinMessage(leagueKey, leagues?.items?.[leagueKey]), null, 2);
  const bearer = (token) => (token === null ? '' : ` \\\n  -H ${token.startsWith('$') ? `"Authorization: Bearer ${token}"` : sh(`Authorization: Bearer ${token}`)}`);
  document.getElementById('cmd-publish').textContent =
    `curl -sS -X POST ${relay}/v1/publish \\\n  -H 'Content-Type: application/json'${bearer(publishAuth)} \\\n  -d ${sh(publishBody)}`;
  document.getElementById('cmd-sequin').textContent =
    `curl -sS -X POST ${relay}/v1/webhooks/sequin \\\n  -H 'Content-Type: application/json'${bearer(sequinAuth)} \\\n  -d ${sh(sequinBody)}`;
  document.getElementById('cmd-read').textContent =
    `curl -sS ${relay}/v1/topics/leagues\ncurl -sSN '${relay}/v1/events?topics=leagues,services'`;

  // The page can only send what needs no secret it cannot know: a publish in the demo (loopback, no
  // token), a webhook with the session's generated secret (shown to a loopback visitor only).
  const sendable = {
    publish: () => ({ url: '/v1/publish', body: JSON.stringify(publishEvent()) }),
    sequin: async () => ({ url: '/v1/webhooks/sequin', body: JSON.stringify(sequinMessage(leagueKey, await currentLeague(leagueKey))), token: info.sequin.secret }),
  };
  for (const button of document.querySelectorAll('[data-send]')) {
    const kind = button.dataset.send;
    button.addEventListener('click', async () => {
      const { url, body, token } = await sendable[kind]();
      const headers = { 'Content-Type': 'application/json' };
      if (token) headers.Authorization = `Bearer ${token}`;
      const out = document.getElementById(`out-${kind}`);
      try {
        const res = await fetch(url, { method: 'POST', headers, body });
        out.textContent = `${res.status} ${await res.text()}`;
      } catch (err) {
        out.textContent = String(err);
      }
    });
  }
}

/** The league's current value, so repeated sends keep adding wins to the latest standings. */
async function currentLeague(key) {
  const snap = await fetch('/v1/topics/leagues').then((r) => (r.ok ? r.json() : null)).catch(() => null);
  return snap?.items?.[key];
}

load().catch((err) => {
  document.getElementById('auth-note').textContent = `Could not read this relay's settings: ${err}`;
});
