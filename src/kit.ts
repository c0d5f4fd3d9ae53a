// The script-tag kit as an ES module (loaded by `live-elements.js`): defines every element.
// The five small elements are in this one file: a page showing all of them downloads one gzip
// stream with one dictionary (smaller than a chunk per element) in one round trip. The chart's
// code and uPlot are loaded only when a <live-price-chart> is on the page; <live-value> and
// <live-ticker>, each in its own chunk, likewise only when their tag is.
// First: the elements below are each defined in a task of their own (see defineLater).
import './elements/define-later.js';
import './elements/live-source/live-source.js';
import './elements/live-indicator/live-indicator.js';
import './elements/league-standings/league-standings.js';
import './elements/rss-feed/rss-feed.js';
import './elements/service-status/service-status.js';
import { defineWhenUsed } from './elements/lazy-define.js';

defineWhenUsed('live-price-chart', () => import('./elements/live-price-chart/live-price-chart.js'));
defineWhenUsed('live-value', () => import('./elements/live-value/live-value.js'));
defineWhenUsed('live-ticker', () => import('./elements/live-ticker/live-ticker.js'));

// The page's first Intl formatter loads the browser's locale data (20-50 ms) unless the
// SharedWorker, in the same process, already has (src/core/worker/connection-worker.ts): done in
// a task of its own while the stream's first data is on its way, not inside the first widget's
// render with data, nor before the kit runs (it would hold up the kit, the worker's start and
// the subscriptions).
setTimeout(() => new Intl.NumberFormat());
