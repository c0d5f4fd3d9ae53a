import { dateFormat, numberFormat, relativeTime, timeMs } from '../shared/format.js';

/** How `<live-value>` writes its number or time. */
export type ValueFormat = 'number' | 'currency' | 'percent' | 'compact' | 'relative-time' | 'date';

/** The field at a dotted path (`status.progress`) of a value; the value itself for an empty path. */
export function fieldAt(value: unknown, path: string | null): unknown {
  if (!path) return value;
  let v = value;
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function numberOptions(format: ValueFormat | null, currency: string): Intl.NumberFormatOptions {
  if (format === 'currency') return { style: 'currency', currency };
  if (format === 'percent') return { style: 'percent', maximumFractionDigits: 1 };
  if (format === 'compact') return { notation: 'compact', maximumFractionDigits: 1 };
  return {};
}

/**
 * `value` as text in `locale`: numbers (and numeric strings) by `Intl.NumberFormat`, times (ISO
 * strings or ms) by `Intl.DateTimeFormat` or `Intl.RelativeTimeFormat`. What the format cannot
 * read is shown as it is; an object or a missing field is ''.
 */
export function formatValue(value: unknown, format: ValueFormat | null, locale: string | null, currency: string, now: number): string {
  if (value === null || value === undefined || typeof value === 'object') return '';
  if (format === 'date' || format === 'relative-time') {
    const t = timeMs(value);
    if (t === null) return String(value);
    return format === 'date' ? dateFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(t) : relativeTime(locale, t, now);
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) return String(value);
  try {
    return numberFormat(locale, numberOptions(format, currency)).format(n);
  } catch {
    // A currency code Intl does not know (RangeError): the plain number, still readable.
    return numberFormat(locale).format(n);
  }
}

/** A typical value of the format, whose width the placeholder takes until the value arrives. */
export function sampleText(format: ValueFormat | null, locale: string | null, currency: string, now: number): string {
  if (format === 'date' || format === 'relative-time') return formatValue(now - 300_000, format, locale, currency, now);
  return formatValue(format === 'percent' ? 0.123 : format === 'compact' ? 1234 : 12345.67, format, locale, currency, now);
}
