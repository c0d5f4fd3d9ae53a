import { expect, fixture, html } from '@open-wc/testing';
import '../../../src/elements/league-standings/league-standings.js';
import type { LeagueStandings } from '../../../src/elements/league-standings/league-standings.js';
// @ts-expect-error: a plain JS module (the relay loads it with TRANSFORMS); typed where it is used.
import { yahoo_leagues } from '../../../examples/transforms.mjs';

/** The example Sequin transform's output is what <league-standings> renders. */
describe('<league-standings> with the example yahoo_leagues transform', () => {
  it('renders the FantasyContent fixture as a standings table', async () => {
    const message = await (await fetch('/examples/fixtures/yahoo-leagues-message.json')).json();
    const event = (yahoo_leagues as (m: unknown) => { key: string; data: unknown })(message);
    const el = await fixture<LeagueStandings>(html`<league-standings locale="en-US"></league-standings>`);
    el.items = { [event.key]: event.data };
    await el.updateComplete;
    const root = el.shadowRoot!;
    expect(root.querySelector('caption')!.textContent).to.contain('Office Gridiron');
    const rows = [...root.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent!.trim()));
    expect(rows).to.deep.equal([
      ['1', 'Blitz Brigade', '9', '2', '0', '1,402.36'],
      ['2', 'Gridiron Gurus', '8', '3', '0', '1,351.1'],
      ['3', 'Fourth & Long', '5', '5', '1', '1,240.02'],
      ['4', 'Hail Mary Hopefuls', '1', '9', '1', '1,088.44'],
    ]);
  });
});
