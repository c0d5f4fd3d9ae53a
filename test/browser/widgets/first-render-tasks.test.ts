import { expect } from '@open-wc/testing';
import '../../../src/elements/service-status/service-status.js';

/**
 * A good guest: the widgets of a page each make their first render in a task of their own, so
 * defining them does not add up to one long task that blocks the host page's input.
 */

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

/** The Long Tasks API is Chromium's: the test is registered only where it can run, never skipped. */
const longTasksSeen = PerformanceObserver.supportedEntryTypes.includes('longtask');

describe('first renders', () => {
  if (!longTasksSeen) return;
  it('each widget renders its first time in its own task, not all in the task that connects them (Long Tasks API: Chromium only)', async () => {
    const longTasks: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push(e.duration);
    });
    observer.observe({ type: 'longtask' });
    const els = [0, 1, 2].map(() => {
      const el = document.createElement('service-status');
      el.items = { api: { name: 'API', status: 'running', progress: 10 } };
      // Each first render costs 60 ms (a big table on a slow phone).
      const host = el as unknown as { render(): unknown };
      const render = host.render.bind(el);
      let first = true;
      host.render = () => {
        if (first) busy(60);
        first = false;
        return render();
      };
      return el;
    });
    try {
      document.body.append(...els);
      await Promise.all(els.map((el) => el.updateComplete));
      await new Promise((r) => setTimeout(r, 300));
      expect(longTasks.length, `long tasks: ${longTasks.map(Math.round).join(', ')} ms`).to.be.at.least(3);
      expect(Math.max(...longTasks), `long tasks: ${longTasks.map(Math.round).join(', ')} ms`).to.be.below(120);
      for (const el of els) expect(el.shadowRoot!.querySelector('[role="progressbar"]')).to.not.equal(null);
    } finally {
      observer.disconnect();
      for (const el of els) el.remove();
    }
  });
});
