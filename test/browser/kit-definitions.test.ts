import { expect } from '@open-wc/testing';
import { configure } from '../../src/core/index.js';
import { relays, uniqueTopic, waitFor } from './helpers.js';

/*
 * The script-tag kit (src/kit.ts) defines each of its elements in a task of its own: the upgrade
 * of every tag of a name (constructors, styles, subscriptions) is one short task, not part of one
 * long task that evaluates the kit and upgrades the whole page, which a host page's reader feels
 * as a frozen page (Lighthouse's Total Blocking Time).
 */

const KIT_TAGS = ['live-source', 'live-indicator', 'league-standings', 'rss-feed', 'service-status'];

describe('the script-tag kit', () => {
  it('defines each of its elements in a task of its own, after its own evaluation', async () => {
    const { main } = await relays();
    configure({ relay: main, worker: false });
    const topic = uniqueTopic('kit-defs');
    document.body.insertAdjacentHTML(
      'beforeend',
      `<live-indicator></live-indicator><league-standings topic="${topic}" key="p"></league-standings><rss-feed topic="${topic}"></rss-feed><service-status topic="${topic}"></service-status>`,
    );
    // Which task each definition runs in: a task ends with its microtasks.
    const tasks: Array<[string, number]> = [];
    let task = 0;
    let inTask = false;
    const define = customElements.define.bind(customElements);
    customElements.define = (name, ctor, options) => {
      if (!inTask) {
        task++;
        inTask = true;
        queueMicrotask(() => (inTask = false));
      }
      tasks.push([name, task]);
      define(name, ctor, options);
    };
    try {
      await import('../../src/kit.js');
      expect(KIT_TAGS.filter((t) => customElements.get(t)), 'defined in the task that evaluated the kit').to.deep.equal([]);
      await waitFor('every element defined', () => KIT_TAGS.every((t) => customElements.get(t)));
      expect(tasks.map(([name]) => name)).to.deep.equal(KIT_TAGS);
      expect(new Set(tasks.map(([, t]) => t)).size, `one task each: ${JSON.stringify(tasks)}`).to.equal(KIT_TAGS.length);
      // Upgraded as they were defined, and subscribed.
      const league = document.querySelector('league-standings')!;
      await waitFor('the league element subscribed', () => league.getAttribute('phase') !== null);
    } finally {
      customElements.define = define;
    }
  });
});
