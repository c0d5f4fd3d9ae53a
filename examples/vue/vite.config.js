import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

/** The kit's tags: Vue renders them as custom elements instead of looking for Vue components. */
const liveTags = ['league-standings', 'rss-feed', 'service-status'];

export default defineConfig({
  plugins: [vue({ template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('live-') || liveTags.includes(tag) } } })],
});
