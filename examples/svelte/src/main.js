import { mount } from 'svelte';
import { configure } from 'live-elements/core';
import App from './App.svelte';

// The relay: `?relay=` in the page's address, else the one `npm start` runs.
configure({ relay: new URLSearchParams(location.search).get('relay') ?? 'http://localhost:8080' });

mount(App, { target: document.getElementById('app') });
