import { expect, fixture, html as fixtureHtml } from '@open-wc/testing';
import { LitElement, html } from 'lit';
import { ContextConsumer, createContext } from '@lit/context';
import { LiveTopicController } from '../../src/elements/live-topic-controller.js';
import '../../src/elements/live-source/live-source.js';
import type { LiveConnection } from '../../src/core/index.js';
import { relays, uniqueTopic, waitFor } from './helpers.js';

/** Follows a topic with the controller, like every widget. */
class ContextView extends LitElement {
  static override properties = { topic: {} };
  topic = '';
  readonly live = new LiveTopicController(this, { topic: () => this.topic || null });
  protected override render() {
    return html`${this.live.phase}`;
  }
}
customElements.define('context-view', ContextView);

/** A page's own element asking for the connection with @lit/context under the kit's key. */
class LitContextView extends LitElement {
  readonly consumer = new ContextConsumer(this, { context: createContext<LiveConnection | undefined>('live-elements:connection'), subscribe: true });
}
customElements.define('lit-context-view', LitContextView);

const relayOf = (el: Element) => (el as ContextView).live.liveConnection?.relay ?? null;

/**
 * `<live-source>` hands its connection to the elements inside it over the community context
 * protocol (`context-request`), the one @lit/context speaks.
 */
describe('<live-source> provides its connection', () => {
  it('to the elements inside it, and again when its relay changes', async () => {
    const { main, small } = await relays();
    const topic = uniqueTopic('ctx');
    const source = await fixture<HTMLElement & { relay: string }>(fixtureHtml`<live-source relay=${main}><context-view topic=${topic}></context-view></live-source>`);
    const view = source.querySelector('context-view')!;
    await waitFor('the source connection', () => relayOf(view) === main);
    source.relay = small;
    await waitFor('the new relay', () => relayOf(view) === small);
  });

  it('from the nearest source, and from the new one when an element moves', async () => {
    const { main, small, auth } = await relays();
    const topic = uniqueTopic('ctxnest');
    const nested = await fixture<HTMLElement>(fixtureHtml`<live-source relay=${main}><context-view id="outer" topic=${topic}></context-view><live-source relay=${small}><context-view id="inner" topic=${topic}></context-view></live-source></live-source>`);
    const outer = nested.querySelector('#outer')!;
    const inner = nested.querySelector('#inner')!;
    await waitFor('each element from its nearest source', () => relayOf(outer) === main && relayOf(inner) === small);
    nested.querySelector('live-source')!.append(outer);
    await waitFor('the moved element from its new source', () => relayOf(outer) === small);
    // The source it left no longer tells it of changes.
    (nested as HTMLElement & { relay: string }).relay = auth;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(relayOf(outer)).to.equal(small);
  });

  it('to a @lit/context consumer under the key live-elements:connection, until it leaves', async () => {
    const { main, small } = await relays();
    const source = await fixture<HTMLElement & { relay: string }>(fixtureHtml`<live-source relay=${main}><lit-context-view></lit-context-view></live-source>`);
    const consumer = source.querySelector('lit-context-view') as LitContextView;
    await waitFor('the connection', () => consumer.consumer.value?.relay === main);
    consumer.remove();
    source.relay = small;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(consumer.consumer.value?.relay, 'a consumer that left is not told').to.equal(main);
    source.append(consumer);
    await waitFor('the connection once back', () => consumer.consumer.value?.relay === small);
  });
});
