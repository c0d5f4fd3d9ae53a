import { css } from 'lit';

/*
 * Every item is two lines (title, then source and time), each cut with an ellipsis: an item has
 * the same height whatever its text, so new items replace the text of the rows in place and
 * nothing on the page moves.
 */
export const rssFeedStyles = css`
  :host {
    --_row: calc(3.6em + 1px);
  }
  ol {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  li {
    padding: var(--rss-feed-item-padding, 0.5em 0.75em);
    border-bottom: 1px solid var(--_border);
  }
  li:last-child {
    border-bottom: 0;
  }
  a,
  .title,
  .meta {
    display: block;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  a,
  .title {
    color: var(--_accent);
    font-weight: 500;
    text-decoration: none;
  }
  .title {
    color: var(--_fg);
  }
  a:hover,
  a:focus-visible {
    text-decoration: underline;
  }
  .meta {
    color: var(--_muted);
    font-size: 0.85em;
  }
  .meta > * + *::before {
    content: ' · ';
  }
`;
