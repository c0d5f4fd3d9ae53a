// Reading a relay's Prometheus text (GET /metrics). Plain JavaScript: the bench reads it here too.

/** The whole Prometheus text the relay at `url` serves at `/metrics`. */
export async function metricsText(url) {
  return (await fetch(`${url}/metrics`)).text();
}

/**
 * Metric `name` in Prometheus `text`: the sum of its samples whose labels include `labels`
 * (every sample when none are given); null when there is no such sample.
 */
export function metricIn(text, name, labels = {}) {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Set(m[2]?.slice(1, -1).match(/\w+="(?:[^"\\]|\\.)*"/g) ?? []);
    if (!wanted.every((w) => have.has(w))) continue;
    found = true;
    sum += Number(m[3]);
  }
  return found ? sum : null;
}

/** {@link metricIn} over the relay's `/metrics` now: one metric's total, null when it is absent. */
export async function metricTotal(url, name, labels = {}) {
  return metricIn(await metricsText(url), name, labels);
}
