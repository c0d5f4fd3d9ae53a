import { useState } from 'react';
import 'live-elements/live-price-chart';
import 'live-elements/league-standings';
import 'live-elements/service-status';

/** `key` is React's own (it never reaches the element): set the element's `key` property through a ref. */
const keyRef = (key) => (el) => {
  if (el) el.key = key;
};

/** The chart and the standings, fed by the relay: unmounting them closes their subscriptions. */
function LiveWidgets({ onChange }) {
  return (
    <section>
      <live-price-chart topic="prices" period="24h" fields="high,low" ref={keyRef('4151')}></live-price-chart>
      <league-standings topic="leagues" ref={keyRef('premier')} onlive-change={onChange}></league-standings>
    </section>
  );
}

const firstJobs = {
  build: { name: 'Build', status: 'running', progress: 10, updatedAt: new Date().toISOString() },
  deploy: { name: 'Deploy', status: 'idle', updatedAt: new Date().toISOString() },
};

export function App() {
  const [showLive, setShowLive] = useState(true);
  const [relayChanges, setRelayChanges] = useState(0);
  const [listChanges, setListChanges] = useState(0);
  // The list is this app's own state, handed to the element through its `items` property.
  const [jobs, setJobs] = useState(firstJobs);

  const advance = () =>
    setJobs((now) => {
      const progress = Math.min(100, now.build.progress + 30);
      const build = { ...now.build, progress, status: progress === 100 ? 'completed' : 'running', updatedAt: new Date().toISOString() };
      return { ...now, build };
    });

  return (
    <main>
      <h1>live-elements in React</h1>
      <p>
        <button id="toggle-live" onClick={() => setShowLive((v) => !v)}>{showLive ? 'Hide' : 'Show'} the live widgets</button>{' '}
        <button id="advance" onClick={advance}>Advance the build</button>
      </p>
      <p>
        Standings changes: <output id="relay-changes">{relayChanges}</output>, list changes: <output id="list-changes">{listChanges}</output>
      </p>
      {showLive && <LiveWidgets onChange={() => setRelayChanges((n) => n + 1)} />}
      <service-status items={jobs} onlive-change={() => setListChanges((n) => n + 1)}></service-status>
    </main>
  );
}
