import { html, type TemplateResult, type PropertyDeclarations } from 'lit';
import type { FeedItem } from '../../core/wire.js';
import { defineElement } from '../define.js';
import { baseStyles } from '../shared/base.styles.js';
import { dateFormat, relativeTime, timeMs } from '../shared/format.js';
import { LiveElement } from '../shared/live-element.js';
import { skeleton } from '../shared/skeleton.js';
import { safeHttpUrl } from '../shared/safe-url.js';
import { rssFeedStyles } from './rss-feed.styles.js';
import { RefreshController } from '../shared/refresh-controller.js';

export type { FeedItem };

/** How often relative times ("3 minutes ago") are refreshed, in ms. */
const REFRESH_MS = 30_000;

/**
 * The newest items of one feed (or of all feeds of the topic), newest first: a linked title (only
 * http/https links, opened with `rel="noopener noreferrer"`), the source and a relative time kept
 * fresh. New items are announced politely to screen readers.
 *
 * @tag rss-feed
 * @summary Live RSS/Atom items.
 * @slot empty - Shown when the feed has no items yet.
 * @slot loading - Shown while the feed loads (default: a skeleton of `limit` items).
 * @csspart base - The region around everything.
 * @csspart list - The list of items.
 * @csspart item - One item; new ones also have the part `item-changed`.
 * @csspart item-changed - An item in its brief highlight.
 * @csspart link - The item's title link (a plain `title` part when the link is not http/https).
 * @csspart title - The title when it is not a link.
 * @csspart source - The item's source.
 * @csspart time - The item's relative time (`<time>`).
 * @csspart loading - The default loading text.
 * @csspart empty - The default empty text.
 * @csspart error - The error message.
 * @csspart announcer - The polite live region (visually hidden).
 * @cssproperty [--live-bg=#ffffff] - Background (dark theme: #16191d).
 * @cssproperty [--live-fg=#1b1f24] - Text colour (dark theme: #e6e9ed).
 * @cssproperty [--live-muted=#5c6670] - Source and time (dark theme: #9aa4ae).
 * @cssproperty [--live-accent=#0b63ce] - Link colour (dark theme: #5aa2ff).
 * @cssproperty [--live-border=#d8dee4] - Item separators (dark theme: #30363d).
 * @cssproperty [--live-highlight=#fff3bf] - Flash colour of a new item (dark theme: #352d00).
 * @cssproperty [--live-flash-duration=1.5s] - How long a change stays highlighted.
 * @cssproperty [--live-font=14px/1.4 system-ui, sans-serif] - Font.
 * @cssproperty [--rss-feed-item-padding=0.5em 0.75em] - Padding of an item.
 * @event {LiveChangeEvent} live-change - After new items arrived; `detail.keys` are the feed ids.
 */
export class RssFeed extends LiveElement {
  /** Lit's reactive properties (declared here, not with decorators: the decorator helpers cost bytes in every page). */
  static override properties: PropertyDeclarations = { limit: { type: Number, reflect: true } };

  static override styles = [baseStyles, rssFeedStyles];

  /** How many items to show at most; the loading skeleton has this many, so the page does not move when they come. */
  limit = 10;

  /** Keeps the relative times fresh. */
  private readonly refresh = new RefreshController(this, REFRESH_MS);

  protected override defaultLabel(): string {
    return 'News feed';
  }

  /** Items of the selected feed(s), newest first, at most `limit`. */
  get visibleItems(): FeedItem[] {
    return newestFirst(this.items, this.key).slice(0, Math.max(0, this.limit));
  }

  protected override isEmpty(): boolean {
    return this.visibleItems.length === 0;
  }

  private newIds(previous: ReadonlyMap<string, unknown>): Set<string> {
    const seen = new Set(newestFirst(previous, this.key).map((i) => i.id));
    return new Set(this.visibleItems.filter((i) => !seen.has(i.id)).map((i) => i.id));
  }

  protected override flashIds(_keys: readonly string[], previous: ReadonlyMap<string, unknown>): Iterable<string> {
    return this.newIds(previous);
  }

  protected override describeChange(_keys: readonly string[], previous: ReadonlyMap<string, unknown>): string {
    const ids = this.newIds(previous);
    const fresh = this.visibleItems.filter((i) => ids.has(i.id));
    if (fresh.length === 0) return '';
    if (fresh.length === 1) return `New item: ${fresh[0].title}`;
    return `${fresh.length} new items, latest: ${fresh[0].title}`;
  }

  protected override renderLoading(): TemplateResult {
    return skeleton(this.limit);
  }

  protected override renderBody(): TemplateResult {
    const now = Date.now();
    const absolute = dateFormat(this.locale, { dateStyle: 'medium', timeStyle: 'short' });
    return html`<ol part="list">
      ${this.visibleItems.map(
        (item) => {
          const href = safeHttpUrl(item.link);
          const t = timeMs(item.published);
          const flash = this.isChanged(item.id);
          return html`<li part=${flash ? 'item item-changed' : 'item'}>
            ${href
              ? html`<a part="link" href=${href} target="_blank" rel="noopener noreferrer">${item.title}</a>`
              : html`<span part="title" class="title">${item.title}</span>`}
            <span class="meta">
              ${item.source ? html`<span part="source">${item.source}</span>` : ''}
              ${t !== null
                ? html`<time part="time" datetime=${new Date(t).toISOString()} title=${absolute.format(t)}>${relativeTime(this.locale, t, now)}</time>`
                : ''}
            </span>
          </li>`;
        },
      )}
    </ol>`;
  }
}

/** Every item of `key`'s list (or of all lists), deduplicated by id, newest first. */
function newestFirst(items: ReadonlyMap<string, unknown>, key: string | null): FeedItem[] {
  const out: FeedItem[] = [];
  const seen = new Set<string>();
  for (const [k, list] of items) {
    if (key && k !== key) continue;
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      if (!isFeedItem(raw) || seen.has(raw.id)) continue;
      seen.add(raw.id);
      out.push(raw);
    }
  }
  // Lists arrive oldest first; a stable sort by time keeps later-appended items first on ties.
  out.reverse();
  return out.sort((a, b) => (timeMs(b.published) ?? 0) - (timeMs(a.published) ?? 0));
}

function isFeedItem(v: unknown): v is FeedItem {
  const i = v as FeedItem;
  return typeof v === 'object' && v !== null && typeof i.id === 'string' && typeof i.title === 'string';
}

defineElement('rss-feed', RssFeed);

declare global {
  interface HTMLElementTagNameMap {
    'rss-feed': RssFeed;
  }
}
