// electron-builder: `npm run dist` packages the desktop app (AppImage and deb on Linux, dmg on macOS, NSIS on
// Windows; each on its own platform, since native modules cannot be cross-compiled). The shared node_modules is
// never rebuilt in place (npmRebuild: false: the CLI and the tests need its Node build of better-sqlite3); the
// packaged copy of better-sqlite3's native module, unpacked from the asar, is replaced after packing by the
// Electron-ABI build that @electron/rebuild made in .electron-abi/ (scripts/electron-env.js).
import { copyFileSync, existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { electronDist, electronSqliteBinding } from './scripts/electron-env.js';

/** @type {import('electron-builder').Configuration} */
export default {
  appId: 'org.digit-workbench.app',
  productName: 'Digit Workbench',
  directories: { output: 'release', buildResources: 'resources' },
  // Main, preload and renderer (electron-vite's out/), the core and trainer main loads at run time (build/node).
  files: ['out/**/*', '!out/web/**', 'build/node/**/*', '!**/*.map', 'resources/**/*', '!resources/screenshot.png', 'package.json'],
  asar: true,
  // Native modules load from real files: better-sqlite3 and the native kernels (build/node/trainer/engine/native).
  asarUnpack: ['node_modules/better-sqlite3/**/*.node', 'build/node/**/*.node'],
  npmRebuild: false,
  // The Electron that `npm start` fetched, not a second download.
  electronDist: existsSync(electronDist) ? electronDist : undefined,
  afterPack: async ({ appOutDir, packager }) => {
    const resources = packager.platform.name === 'mac' ? join(appOutDir, `${packager.appInfo.productFilename}.app`, 'Contents', 'Resources') : join(appOutDir, 'resources');
    copyFileSync(electronSqliteBinding, join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'));
    // The native kernels link oneDNN as a shared library: on Linux the package carries the build machine's copy
    // beside the addon (found there through the addon's $ORIGIN rpath), so users need no libdnnl package.
    const addonDir = join(resources, 'app.asar.unpacked', 'build', 'node', 'trainer', 'engine', 'native');
    const dnnl = ['/usr/lib/x86_64-linux-gnu/libdnnl.so.2', '/usr/lib64/libdnnl.so.2', '/usr/local/lib/libdnnl.so.2'].find((p) => existsSync(p));
    if (packager.platform.name === 'linux' && existsSync(join(addonDir, 'digit_native.node'))) {
      if (dnnl) copyFileSync(realpathSync(dnnl), join(addonDir, 'libdnnl.so.2'));
      else console.warn('libdnnl.so.2 not found: the package trains on the wasm kernels where oneDNN is not installed');
    }
  },
  linux: { target: ['AppImage', 'deb'], category: 'Science', maintainer: 'Digit Workbench maintainers' },
  mac: { target: 'dmg', category: 'public.app-category.developer-tools' },
  win: { target: 'nsis' },
};
