import { css } from 'lit';

export const rssFeedStyles = css`
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
    display: block;
    color: var(--_muted);
    font-size: 0.85em;
  }
  .meta > * + *::before {
    content: ' · ';
  }
`;
