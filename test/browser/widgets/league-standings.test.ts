import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../../src/elements/league-standings/league-standings.js';
import type { League, LeagueStandings } from '../../../src/elements/league-standings/league-standings.js';

const premier: League = {
  name: 'Premier',
  season: '2026',
  teams: [
    { id: 'b', rank: 2, name: 'Blues', wins: 8, losses: 4, ties: 1, pointsFor: 1234 },
    { id: 'a', rank: 1, name: 'Ambers', wins: 10, losses: 2, ties: 0, pointsFor: 1500 },
    { id: 'c', rank: 3, name: 'Crows', wins: 3, losses: 9, ties: 1, pointsFor: 800 },
  ],
};

async function ready(): Promise<LeagueStandings> {
  const el = await fixture<LeagueStandings>(html`<league-standings key="premier" locale="en-US"></league-standings>`);
  el.items = { premier, summit: { name: 'Summit', teams: [{ id: 'z', rank: 1, name: 'Zed', wins: 1, losses: 0 }] } };
  await el.updateComplete;
  return el;
}

const rows = (el: LeagueStandings) => [...el.shadowRoot!.querySelectorAll<HTMLTableRowElement>('tbody tr')];
const names = (el: LeagueStandings) => rows(el).map((r) => r.querySelector('th')!.textContent);

describe('<league-standings>', () => {
  it('renders the selected league sorted by rank with W, L, T and PF', async () => {
    const el = await ready();
    expect(el.shadowRoot!.querySelectorAll('table').length).to.equal(1);
    expect(el.shadowRoot!.querySelector('caption')!.textContent).to.contain('Premier');
    expect(names(el)).to.deep.equal(['Ambers', 'Blues', 'Crows']);
    const cells = [...rows(el)[1].querySelectorAll('td')].map((c) => c.textContent);
    expect(cells).to.deep.equal(['2', '8', '4', '1', '1,234']);
    const heads = [...el.shadowRoot!.querySelectorAll('thead th')].map((c) => c.textContent!.trim());
    expect(heads).to.deep.equal(['#', 'Team', 'W', 'L', 'T', 'PF']);
  });

  it('shows every league without a key, and no T/PF columns when no team has them', async () => {
    const el = await ready();
    el.key = null;
    await el.updateComplete;
    const tables = el.shadowRoot!.querySelectorAll('table');
    expect(tables.length).to.equal(2);
    expect([...tables[1].querySelectorAll('thead th')].map((c) => c.textContent!.trim())).to.deep.equal(['#', 'Team', 'W', 'L']);
  });

  it('re-sorts on an upsert, highlights only the changed teams and fires live-change', async () => {
    const el = await ready();
    const swapped: League = {
      ...premier,
      teams: premier.teams.map((t) => (t.id === 'a' ? { ...t, rank: 2, losses: 3 } : t.id === 'b' ? { ...t, rank: 1, wins: 9 } : t)),
    };
    const fired = oneEvent(el, 'live-change');
    el.applyEvents([{ topic: 'leagues', key: 'premier', op: 'upsert', data: swapped }]);
    const ev = await fired;
    expect(ev.detail.keys).to.deep.equal(['premier']);
    expect(names(el)).to.deep.equal(['Blues', 'Ambers', 'Crows']);
    expect(rows(el).map((r) => r.getAttribute('part'))).to.deep.equal(['row row-changed', 'row row-changed', 'row']);
    expect(el.shadowRoot!.querySelector('[part="announcer"]')!.textContent).to.equal('Standings updated: Premier');
  });

  it('applies a patch (the name) and a delete (empty state with its slot)', async () => {
    const el = await ready();
    el.applyEvents([{ topic: 'leagues', key: 'premier', op: 'patch', data: { name: 'Premier League' } }]);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('caption')!.textContent).to.contain('Premier League');
    expect(names(el)).to.deep.equal(['Ambers', 'Blues', 'Crows']);
    el.applyEvents([{ topic: 'leagues', key: 'premier', op: 'delete' }]);
    await el.updateComplete;
    expect(el.hasAttribute('empty')).to.equal(true);
    expect(el.shadowRoot!.querySelector('slot[name="empty"] [part="empty"]')).to.exist;
  });

  it('has loading and error states, parts, a labelled region', async () => {
    const el = await fixture<LeagueStandings>(html`<league-standings></league-standings>`);
    expect(el.shadowRoot!.querySelector('[part="loading"]')).to.exist;
    el.error = { code: 'not_found', message: 'no league "x" in topic leagues' };
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="error"]')!.textContent).to.contain('no league');
    const r = await ready();
    for (const part of ['base', 'league', 'table', 'caption', 'row', 'announcer']) expect(r.shadowRoot!.querySelector(`[part~="${part}"]`), part).to.exist;
    expect(r.shadowRoot!.querySelector('[part="base"]')!.getAttribute('aria-label')).to.equal('League standings');
    expect(r.shadowRoot!.querySelectorAll('th[scope="col"]').length).to.equal(6);
  });

  it('renders hostile team names as text', async () => {
    const el = await fixture<LeagueStandings>(html`<league-standings></league-standings>`);
    (window as unknown as { pwned?: boolean }).pwned = false;
    el.items = { l: { name: '<script>window.pwned=true</script>', teams: [{ id: 'x', rank: 1, name: '<img src=x onerror="window.pwned=true">', wins: 0, losses: 0 }] } };
    await el.updateComplete;
    await new Promise((r) => setTimeout(r, 50));
    expect(el.shadowRoot!.querySelector('img')).to.equal(null);
    expect(el.shadowRoot!.querySelector('script')).to.equal(null);
    expect(names(el)).to.deep.equal(['<img src=x onerror="window.pwned=true">']);
    expect((window as unknown as { pwned?: boolean }).pwned).to.equal(false);
  });
});
