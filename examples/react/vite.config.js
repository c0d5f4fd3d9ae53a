import { defineConfig } from 'vite';

// React without a plugin: Vite compiles JSX itself (the automatic runtime imports react/jsx-runtime).
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic' } },
});
