import { createRoot } from 'react-dom/client';
import { configure } from 'live-elements/core';
import { App } from './App.jsx';

// The relay: `?relay=` in the page's address, else the one `npm start` runs.
configure({ relay: new URLSearchParams(location.search).get('relay') ?? 'http://localhost:8080' });

createRoot(document.getElementById('root')).render(<App />);
