import { html, type PropertyValues, type TemplateResult, type PropertyDeclarations } from 'lit';
import { defineElement } from '../define.js';
import { baseStyles } from '../shared/base.styles.js';
import { dateFormat, numberFormat, relativeTime, timeMs } from '../shared/format.js';
import { LiveElement } from '../shared/live-element.js';
import { skeleton } from '../shared/skeleton.js';
import { serviceStatusStyles } from './service-status.styles.js';
import { RefreshController } from '../shared/refresh-controller.js';

/** The states a service can be in. */
export type ServiceState = 'idle' | 'running' | 'completed' | 'failed' | 'degraded';

/** The value of one key of the `services` topic. */
export interface ServiceInfo {
  name: string;
  status: ServiceState;
  /** 0-100, while running. */
  progress?: number;
  queued?: number;
  processed?: number;
  message?: string;
  /** ISO time. */
  updatedAt: string;
}

const STATES: readonly ServiceState[] = ['idle', 'running', 'completed', 'failed', 'degraded'];
/** Most severe last: the widget's `status` is the worst of its services'. */
const SEVERITY: readonly ServiceState[] = ['idle', 'completed', 'running', 'degraded', 'failed'];
const REFRESH_MS = 30_000;

/**
 * A table of services: name, status badge (idle, running, completed, failed, degraded), a progress
 * bar while running (`role="progressbar"` with its value), queue counts, the last message and when
 * it was updated. A service that changes is highlighted briefly and announced politely.
 *
 * @tag service-status
 * @summary Live status of jobs and services.
 * @slot empty - Shown when there are no services.
 * @slot loading - Shown while the services load (default: a skeleton of `rows` rows).
 * @csspart base - The region around everything.
 * @csspart table - The table.
 * @csspart row - A service's row; changed rows also have the part `row-changed`.
 * @csspart row-changed - A row in its brief highlight.
 * @csspart name - The service's name.
 * @csspart badge - The status badge (its `data-status` attribute holds the status).
 * @csspart progress - The progress bar's track.
 * @csspart progress-value - The progress bar's filled part.
 * @csspart counts - Queued / processed counts.
 * @csspart message - The last message.
 * @csspart time - When the service was last updated (`<time>`).
 * @csspart loading - The default loading text.
 * @csspart empty - The default empty text.
 * @csspart error - The error message.
 * @csspart announcer - The polite live region (visually hidden).
 * @cssproperty [--live-bg=#ffffff] - Background (dark theme: #16191d).
 * @cssproperty [--live-fg=#1b1f24] - Text colour (dark theme: #e6e9ed).
 * @cssproperty [--live-muted=#5c6670] - Secondary text, idle badge (dark theme: #9aa4ae).
 * @cssproperty [--live-accent=#0b63ce] - Running badge and progress (dark theme: #5aa2ff).
 * @cssproperty [--live-ok=#2e7d32] - Completed badge (dark theme: #5fd068).
 * @cssproperty [--live-danger=#c62828] - Failed badge, errors (dark theme: #ff6b6b).
 * @cssproperty [--live-warn=#9c5d00] - Degraded badge (dark theme: #f0b429).
 * @cssproperty [--live-border=#d8dee4] - Row separators, progress track (dark theme: #30363d).
 * @cssproperty [--live-highlight=#fff3bf] - Flash colour of a changed row (dark theme: #352d00).
 * @cssproperty [--live-flash-duration=1.5s] - How long a change stays highlighted.
 * @cssproperty [--live-font=14px/1.4 system-ui, sans-serif] - Font.
 * @cssproperty [--service-status-bar-height=6px] - Height of the progress bar.
 * @cssproperty [--service-status-cell-padding=0.4em 0.75em] - Cell padding.
 * @event {LiveChangeEvent} live-change - After a batch changed services; `detail.keys` are the service ids.
 */
export class ServiceStatus extends LiveElement {
  /** Lit's reactive properties (declared here, not with decorators: the decorator helpers cost bytes in every page). */
  static override properties: PropertyDeclarations = { status: { reflect: true }, rows: { type: Number } };

  static override styles = [baseStyles, serviceStatusStyles];

  /**
   * The most severe status among the services shown (failed > degraded > running > completed >
   * idle), reflected so a page can style the whole widget, e.g. `service-status[status=failed]`.
   * Set by the widget from its data.
   */
  status: ServiceState | null = null;

  /**
   * How many services to reserve room for while loading (the skeleton's rows), so the page does
   * not move when the table arrives; after that, the count last shown.
   */
  rows = 3;

  /** Services in the table last shown: the next loading skeleton's rows. */
  private shownRows = 0;

  /** Keeps the relative times fresh. */
  private readonly refresh = new RefreshController(this, REFRESH_MS);

  protected override defaultLabel(): string {
    return 'Service status';
  }

  private services(): Array<[string, ServiceInfo]> {
    const out: Array<[string, ServiceInfo]> = [];
    for (const [k, v] of this.items) {
      if (this.key && k !== this.key) continue;
      if (isService(v)) out.push([k, v]);
    }
    return out;
  }

  protected override isEmpty(): boolean {
    return this.services().length === 0;
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    let worst = -1;
    for (const [, s] of this.services()) worst = Math.max(worst, SEVERITY.indexOf(statusOf(s)));
    this.status = worst < 0 ? null : SEVERITY[worst];
  }

  protected override describeChange(keys: readonly string[], previous: ReadonlyMap<string, unknown>): string {
    const parts: string[] = [];
    for (const k of keys) {
      const now = this.items.get(k);
      const before = previous.get(k);
      if (!isService(now)) {
        if (isService(before)) parts.push(`${before.name} removed`);
        continue;
      }
      // Progress ticks are not worth announcing; a status change is.
      if (!isService(before) || before.status !== now.status) parts.push(`${now.name} ${statusOf(now)}`);
    }
    return parts.join(', ');
  }

  protected override renderLoading(): TemplateResult {
    return skeleton(this.shownRows || this.rows);
  }

  protected override renderBody(): TemplateResult {
    const services = this.services();
    this.shownRows = services.length;
    const n = numberFormat(this.locale);
    const pct = numberFormat(this.locale, { style: 'percent', maximumFractionDigits: 0 });
    const absolute = dateFormat(this.locale, { dateStyle: 'medium', timeStyle: 'medium' });
    const now = Date.now();
    return html`<table part="table">
      <thead>
        <tr>
          <th scope="col">Service</th>
          <th scope="col">Status</th>
          <th scope="col">Progress</th>
          <th scope="col">Queued / processed</th>
          <th scope="col">Message</th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        ${services.map(
          ([k, s]) => {
            const status = statusOf(s);
            const flash = this.isChanged(k);
            const progress = typeof s.progress === 'number' && Number.isFinite(s.progress) ? Math.min(100, Math.max(0, s.progress)) : null;
            const t = timeMs(s.updatedAt);
            return html`<tr part=${flash ? 'row row-changed' : 'row'} data-key=${k} data-status=${status}>
              <th scope="row" part="name">${s.name}</th>
              <td><span part="badge" class="badge" data-status=${status}>${status}</span></td>
              <td>
                ${status === 'running'
                  ? html`<span
                      part="progress"
                      class="progress"
                      role="progressbar"
                      aria-label=${`${s.name} progress`}
                      aria-valuemin="0"
                      aria-valuemax="100"
                      aria-valuenow=${progress ?? ''}
                      aria-valuetext=${progress === null ? 'in progress' : pct.format(progress / 100)}
                      ><span part="progress-value" .style=${`scale:${(progress ?? 0) / 100} 1`}></span
                    ></span>`
                  : ''}
              </td>
              <td part="counts">
                ${typeof s.queued === 'number' || typeof s.processed === 'number'
                  ? `${typeof s.queued === 'number' ? n.format(s.queued) : '–'} / ${typeof s.processed === 'number' ? n.format(s.processed) : '–'}`
                  : ''}
              </td>
              <td part="message" class="message">${s.message ?? ''}</td>
              <td>${t !== null ? html`<time part="time" datetime=${new Date(t).toISOString()} title=${absolute.format(t)}>${relativeTime(this.locale, t, now)}</time>` : ''}</td>
            </tr>`;
          },
        )}
      </tbody>
    </table>`;
  }
}

/** The service's status, or `idle` when the value holds something unknown. */
function statusOf(s: ServiceInfo): ServiceState {
  return STATES.includes(s.status) ? s.status : 'idle';
}

function isService(v: unknown): v is ServiceInfo {
  return typeof v === 'object' && v !== null && typeof (v as ServiceInfo).name === 'string';
}

defineElement('service-status', ServiceStatus);

declare global {
  interface HTMLElementTagNameMap {
    'service-status': ServiceStatus;
  }
}
