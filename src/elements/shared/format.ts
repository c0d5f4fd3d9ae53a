// Intl formatters are costly to build; widgets render often, so they are cached per locale+options.
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();

function cached<T>(cache: Map<string, T>, locale: string | undefined, options: object, make: () => T): T {
  const id = `${locale ?? ''}|${JSON.stringify(options)}`;
  let f = cache.get(id);
  if (!f) {
    f = make();
    cache.set(id, f);
  }
  return f;
}

/** `locale` if the browser supports it, else undefined (the page's default), never a RangeError. */
export function usableLocale(locale: string | null | undefined): string | undefined {
  if (!locale) return undefined;
  try {
    return Intl.NumberFormat.supportedLocalesOf([locale]).length > 0 ? locale : undefined;
  } catch {
    return undefined;
  }
}

/** A cached Intl.NumberFormat. */
export function numberFormat(locale: string | null | undefined, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const l = usableLocale(locale);
  return cached(numberFormats, l, options, () => new Intl.NumberFormat(l, options));
}

/** A cached Intl.DateTimeFormat. */
export function dateFormat(locale: string | null | undefined, options: Intl.DateTimeFormatOptions = {}): Intl.DateTimeFormat {
  const l = usableLocale(locale);
  return cached(dateFormats, l, options, () => new Intl.DateTimeFormat(l, options));
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['week', 7 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** "3 minutes ago" (or with `style` "short", "3 min. ago") in `locale`, from a time in ms relative to `now`. */
export function relativeTime(locale: string | null | undefined, timeMs: number, now: number, style: Intl.RelativeTimeFormatStyle = 'long'): string {
  const l = usableLocale(locale);
  const rtf = cached(relativeFormats, l, { style }, () => new Intl.RelativeTimeFormat(l, { numeric: 'auto', style }));
  const diff = timeMs - now;
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === 'second') return rtf.format(Math.round(diff / ms), unit);
  }
  return '';
}

/** Parses an ISO string (or unix ms number) into ms, or null when it is not a valid time. */
/** A CSS time (`1.2s`, `300ms`) in ms, or null when it is not one. */
export function durationMs(css: string): number | null {
  const n = parseFloat(css);
  return Number.isFinite(n) ? (css.trim().endsWith('ms') ? n : n * 1000) : null;
}

export function timeMs(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string') return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}
