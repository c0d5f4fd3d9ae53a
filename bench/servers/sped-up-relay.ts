// The relay with the demo simulator running SIM_SPEED times faster than `SIMULATE=1` (default 1):
// the host-page bench's soak lives an hour of the dashboard in a few minutes. Memory bus; the rest
// of the environment as for server/main.ts. Prints the same banner, stops on SIGTERM.
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { busOptions } from '../../server/bus/create-bus.js';
import { loadConfig } from '../../server/config.js';
import { createContext } from '../../server/context.js';
import { listen } from '../../server/server.js';
import { busPublisher } from '../../server/sources/publisher.js';
import { DEFAULT_INTERVALS, startSimulator } from '../../server/sources/simulator.js';

const speed = Number(process.env.SIM_SPEED ?? '1');
if (!(speed > 0)) throw new Error(`SIM_SPEED=${process.env.SIM_SPEED}: must be a positive number`);
const config = loadConfig({ ...process.env, SIMULATE: '0' });
const bus = new MemoryBus(busOptions(config));
const ctx = createContext(config, bus);
const relay = await listen(ctx, config.PORT, config.HOST);
const intervals = Object.fromEntries(Object.entries(DEFAULT_INTERVALS).map(([k, ms]) => [k, Math.max(1, Math.round(ms / speed))]));
const sim = startSimulator({ publish: busPublisher(bus), log: ctx.log.child({ source: 'simulator' }), series: ctx.series.store, intervals });
ctx.onClose(() => sim.stop());
process.on('SIGTERM', () => void relay.close().then(() => process.exit(0)));
process.stdout.write(`live-elements relay listening on ${relay.url} (simulator x${speed})\n`);
