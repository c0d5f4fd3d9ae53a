import { expect, fixture, html as fixtureHtml } from '@open-wc/testing';
import { LitElement, html } from 'lit';
import { LiveTopicController } from '../../src/elements/live-topic-controller.js';
import '../../src/elements/live-source/live-source.js';
import type { EventInput } from '../../src/core/index.js';
import { publish, relays, uniqueTopic, waitFor } from './helpers.js';

// Issue 12, item 3, the browser side: keys named like Object.prototype members are items like any
// other, from the snapshot and from the stream (the kit keeps state in Maps).

class ProtoKeysView extends LitElement {
  static override properties = { topic: {} };
  topic = '';
  readonly live = new LiveTopicController(this, { topic: () => this.topic || null, key: () => null });
  protected override render() {
    return html`${this.live.phase}`;
  }
}
customElements.define('proto-keys-view', ProtoKeysView);

/** Parsed from text, so `__proto__` is an own key (an object literal would set the prototype). */
const events = (topic: string, version: number): EventInput[] =>
  JSON.parse(`[
    {"topic":"${topic}","key":"__proto__","op":"upsert","data":{"v":${version},"__proto__":{"polluted":true}}},
    {"topic":"${topic}","key":"constructor","op":"upsert","data":{"v":${version}}},
    {"topic":"${topic}","key":"toString","op":"upsert","data":{"v":${version}}}
  ]`);

describe('keys named like Object.prototype members', () => {
  it('arrive from the snapshot and from the stream', async () => {
    const { main } = await relays();
    const topic = uniqueTopic('protos');
    await publish(main, events(topic, 1));
    const source = await fixture(fixtureHtml`<live-source relay=${main}><proto-keys-view topic=${topic}></proto-keys-view></live-source>`);
    const view = source.querySelector('proto-keys-view') as ProtoKeysView;
    await waitFor('ready', () => view.live.phase === 'ready');
    expect([...view.live.items.keys()].sort()).to.deep.equal(['__proto__', 'constructor', 'toString']);
    await publish(main, events(topic, 2));
    await waitFor('the stream', () => [...view.live.items.values()].every((v) => (v as { v: number }).v === 2));
    expect(Object.keys(view.live.items.get('__proto__') as object)).to.deep.equal(['v', '__proto__']);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });
});
