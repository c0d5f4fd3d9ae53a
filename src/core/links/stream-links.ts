// The links where a tab runs the stream itself (leader election, or a stream of the page's own),
// with the SSE client and hub they need: one chunk, loaded by open-link.ts only where no
// SharedWorker is usable, so pages in the common SharedWorker case never download it.
export { openLeaderLink } from './leader-link.js';
export { openInPageLink } from './in-page-link.js';
