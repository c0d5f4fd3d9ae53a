// The analyzer's settings for `npm run analyze` and `npm run build` (cem reads this file by name).
export default {
  litelement: true,
  // package.json's `customElements` is written by hand: the analyzer would point it at any --outdir
  // (the kit-build test analyzes into a scratch folder).
  packagejson: false,
  globs: ['src/elements/**/*.ts'],
  exclude: ['src/**/*.test.ts', 'src/elements/shared/*.styles.ts'],
  plugins: [
    {
      // The analyzer lists modules in the order the file system returns them, which differs between
      // machines: a fresh clone was dirty after its first `npm start`. Sorted, the manifest is the
      // same everywhere: a folder's files first, then its subfolders, each by name.
      name: 'sort-modules-by-path',
      packageLinkPhase({ customElementsManifest }) {
        customElementsManifest.modules.sort((a, b) => comparePaths(a.path, b.path));
      },
    },
  ],
};

/** Orders paths by folder, then by file name; code-unit order, so no locale can change it. */
function comparePaths(a, b) {
  const [dirA, fileA] = split(a);
  const [dirB, fileB] = split(b);
  if (dirA !== dirB) return dirA < dirB ? -1 : 1;
  return fileA < fileB ? -1 : fileA > fileB ? 1 : 0;
}

function split(path) {
  const slash = path.lastIndexOf('/');
  return [path.slice(0, slash), path.slice(slash + 1)];
}
