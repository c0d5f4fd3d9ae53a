/** Detail of {@link LiveChangeEvent}. */
export interface LiveChangeDetail {
  /** The keys whose value changed (or were removed) in this batch. */
  readonly keys: readonly string[];
}

/**
 * Fired by every widget after it rendered a batch that changed some keys. It bubbles and crosses
 * shadow roots so a page can listen once on `document` for any widget.
 */
export class LiveChangeEvent extends Event {
  /** The event's name. */
  static readonly eventName = 'live-change';
  /** Which keys changed. */
  readonly detail: LiveChangeDetail;

  constructor(keys: readonly string[]) {
    super(LiveChangeEvent.eventName, { bubbles: true, composed: true });
    this.detail = { keys };
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'live-change': LiveChangeEvent;
  }
}
