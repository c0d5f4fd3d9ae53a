import { expect, fixture, html as fixtureHtml } from '@open-wc/testing';
import { LitElement, html } from 'lit';
import { LiveTopicController } from '../../src/elements/live-topic-controller.js';
import '../../src/elements/live-source/live-source.js';
import type { Envelope } from '../../src/core/index.js';
import { engine, publish, relays, uniqueTopic, waitFor } from './helpers.js';

/** A minimal widget: what every real widget does with the controller. */
class TestTopicView extends LitElement {
  static override properties = { topic: {}, key: {} };
  topic = '';
  key = '';
  updates = 0;
  resets = 0;
  received: Envelope[] = [];
  readonly live = new LiveTopicController(this, {
    topic: () => this.topic || null,
    key: () => this.key || null,
    onEvents: (events) => this.received.push(...events),
    onReset: () => this.resets++,
  });
  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('topic') || changed.has('key')) this.live.resubscribe();
  }
  protected override updated(): void {
    this.updates++;
  }
  protected override render() {
    return html`<span>${this.live.phase}:${[...this.live.items.keys()].sort().join(',')}</span>`;
  }
}
customElements.define('test-topic-view', TestTopicView);

describe('LiveTopicController', () => {
  it('loads the snapshot, applies events, and requests one update per batch', async () => {
    const { main } = await relays();
    const topic = uniqueTopic('ctl');
    await publish(main, [
      { topic, key: 'a', op: 'upsert', data: { v: 1 } },
      { topic, key: 'b', op: 'upsert', data: { v: 2 } },
    ]);
    const source = await fixture(fixtureHtml`<live-source relay=${main}><test-topic-view topic=${topic}></test-topic-view></live-source>`);
    const view = source.querySelector('test-topic-view') as TestTopicView;
    await waitFor('ready', () => view.live.phase === 'ready');
    expect([...view.live.items.keys()].sort()).to.deep.equal(['a', 'b']);
    await waitFor('open', () => view.live.status.status === 'open');

    const before = view.updates;
    await publish(main, Array.from({ length: 200 }, (_, i) => ({ topic, key: `k${i % 20}`, op: 'upsert' as const, data: { i } })));
    await waitFor('200 events', () => view.received.length === 200);
    // Live batches are rendered at the page's next render slot (src/elements/shared/render-slot.ts).
    await waitFor('the batches rendered', () => view.shadowRoot!.textContent!.includes('ready:a,b,k0'), 2000);
    await view.updateComplete;
    // One update per read of the stream, not per event. Chromium and Firefox read these ~30 kB in a
    // read or two; WebKit hands the body over in smaller pieces (6 reads seen), so it gets more room.
    expect(view.updates - before, 'updates for 200 events in one publish').to.be.lessThan(engine === 'webkit' ? 12 : 6);
    expect(view.live.items.get('k19')).to.deep.equal({ i: 199 });
    expect(view.live.changedKeys.size).to.be.greaterThan(0);
    expect(view.live.status.lastEventAt).to.be.a('number');
    expect(view.shadowRoot!.textContent).to.contain('ready:a,b,k0');
  });

  it('narrows to one key and follows topic changes', async () => {
    const { main } = await relays();
    const topic = uniqueTopic('ctlkey');
    const other = uniqueTopic('ctlother');
    await publish(main, [
      { topic, key: 'x', op: 'upsert', data: 1 },
      { topic, key: 'y', op: 'upsert', data: 2 },
      { topic: other, key: 'z', op: 'upsert', data: 3 },
    ]);
    const source = await fixture(fixtureHtml`<live-source relay=${main}><test-topic-view topic=${topic} key="y"></test-topic-view></live-source>`);
    const view = source.querySelector('test-topic-view') as TestTopicView;
    await waitFor('ready', () => view.live.phase === 'ready');
    expect([...view.live.items.entries()]).to.deep.equal([['y', 2]]);
    await publish(main, [
      { topic, key: 'x', op: 'upsert', data: 10 },
      { topic, key: 'y', op: 'patch', data: { p: 1 } },
    ]);
    await waitFor('the patch on y', () => typeof view.live.items.get('y') === 'object');
    expect(view.live.items.has('x')).to.equal(false);

    view.topic = other;
    view.key = '';
    await waitFor('the other topic', () => view.live.phase === 'ready' && view.live.items.has('z'));
    expect([...view.live.items.keys()]).to.deep.equal(['z']);
  });

  it('reports a missing relay or topic as an error the author can act on', async () => {
    const el = await fixture<TestTopicView>(fixtureHtml`<test-topic-view></test-topic-view>`);
    expect(el.live.phase).to.equal('error');
    expect(el.live.error?.code).to.be.oneOf(['no_relay', 'no_topic']);
    expect(el.live.error?.message).to.match(/relay|topic/);
  });
});
