// The script-tag kit as an ES module (loaded by `live-elements.js`): defines every element.
// <live-source> comes at once (a provider must exist before its children ask for it); every other element's code, and the chart's uPlot, is loaded only when
// its tag is on the page, so an embed pays for what it shows.
import './elements/live-source/live-source.js';
import { defineWhenUsed } from './elements/lazy-define.js';

defineWhenUsed('live-indicator', () => import('./elements/live-indicator/live-indicator.js'));
defineWhenUsed('league-standings', () => import('./elements/league-standings/league-standings.js'));
defineWhenUsed('rss-feed', () => import('./elements/rss-feed/rss-feed.js'));
defineWhenUsed('service-status', () => import('./elements/service-status/service-status.js'));
defineWhenUsed('live-price-chart', () => import('./elements/live-price-chart/live-price-chart.js'));

/**
 * Nothing to do: the elements read `data-relay`, `data-token` and `data-worker` from the script
 * tag themselves (see `currentConfig()`); `live-elements.js` calls this once the kit is in.
 */
export function start(): void {}
