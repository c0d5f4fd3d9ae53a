import { createApp } from 'vue';
import { configure } from 'live-elements/core';
import App from './App.vue';

// The relay: `?relay=` in the page's address, else the one `npm start` runs.
configure({ relay: new URLSearchParams(location.search).get('relay') ?? 'http://localhost:8080' });

createApp(App).mount('#app');
