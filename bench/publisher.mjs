#!/usr/bin/env node
// The publisher: its own process (forked by bench/run.mjs), so neither the server nor the
// load generator's busy event loop slows the publishing down. Each event carries `t`, the wall
// clock in ms with sub-ms precision (performance.timeOrigin + now, the same clock the load
// generator reads), from which the load generator measures publish -> receive latency.
import { request } from 'node:http';

const wall = () => performance.timeOrigin + performance.now();

function post(url, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`publish answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Publishes to `url` for `durationMs`: at `rate` events/s in batches every 50 ms (or `perRequest`
 * events per request when given, e.g. 1), or with rate 0 as fast as the server answers (`batch`
 * events per request, `inFlight` requests at once). Answers how many events and requests it sent.
 */
async function publish({ url, topic, rate, durationMs, batch, eventBytes, perRequest, inFlight = 4 }) {
  const target = `${url}/v1/publish`;
  const pad = 'x'.repeat(Math.max(0, eventBytes - 150));
  let sent = 0;
  let requests = 0;
  let seq = 0;
  const startedAt = wall();
  const makeBatch = (size) => JSON.stringify(Array.from({ length: size }, () => ({ topic, key: `k${seq % 50}`, op: 'upsert', data: { t: wall(), n: seq++, pad } })));
  if (rate > 0) {
    // 20 batches a second: on a busy shared machine a process is scheduled too seldom for more.
    const size = perRequest ?? Math.max(1, Math.round(rate / 20));
    while (wall() - startedAt < durationMs) {
      await post(target, makeBatch(size));
      sent += size;
      requests++;
      const wait = startedAt + (sent / rate) * 1000 - wall();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  } else {
    // Several requests in flight, so the server never waits for the next batch to arrive.
    const lane = async () => {
      while (wall() - startedAt < durationMs) {
        await post(target, makeBatch(batch));
        sent += batch;
        requests++;
      }
    };
    await Promise.all(Array.from({ length: inFlight }, lane));
  }
  return { sent, requests, startedAt, endedAt: wall() };
}

process.on('message', async ({ id, cmd, args }) => {
  try {
    if (cmd !== 'publish') throw new Error(`unknown command ${cmd}`);
    process.send({ id, result: await publish(args) });
  } catch (err) {
    process.send({ id, error: String(err?.stack ?? err) });
  }
});
process.on('disconnect', () => process.exit(0));
