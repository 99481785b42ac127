// Builds the native kernel set (native/, a Node-API addon on oneDNN) with node-gyp and copies it next to the
// engine's compiled code. Never fails the install: without a compiler or oneDNN (Debian: libdnnl-dev) it writes
// why to build-status.json, and the app trains on the wasm kernels and says so in Settings and `backends`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native');
const target = join(root, 'build', 'node', 'trainer', 'engine', 'native');
const addon = join(target, 'digit_native.node');
const status = join(target, 'build-status.json');

mkdirSync(target, { recursive: true });
rmSync(addon, { force: true });

/** One line a person can act on, from node-gyp's output. */
function reasonOf(output) {
  if (/dnnl\.hpp: No such file|cannot find -ldnnl/.test(output)) return 'oneDNN is not installed (Debian/Ubuntu: apt-get install libdnnl-dev), then npm run build:native';
  if (/not found: (make|g\+\+|c\+\+)|No such file or directory.*(make|g\+\+)|Can't find Python/i.test(output)) return 'no C++ toolchain for node-gyp (python3, make, g++), then npm run build:native';
  const line = output.split('\n').find((l) => /error/i.test(l)) ?? output.trim().split('\n').pop() ?? 'unknown error';
  return `the native build failed: ${line.trim().slice(0, 200)}`;
}

function done(result) {
  writeFileSync(status, `${JSON.stringify(result)}\n`);
  console.log(result.built ? 'native kernels: built' : `native kernels: not built (${result.reason}); training will use the wasm kernels`);
}

if (process.env.DIGIT_WORKBENCH_NATIVE === 'off') {
  done({ built: false, reason: 'not built: DIGIT_WORKBENCH_NATIVE=off at install' });
} else {
  // npm gives lifecycle scripts its own node-gyp (npm_config_node_gyp); otherwise one on the PATH.
  const gyp = process.env.npm_config_node_gyp;
  const [cmd, args] = gyp ? [process.execPath, [gyp, 'rebuild']] : ['node-gyp', ['rebuild']];
  const run = spawnSync(cmd, args, { cwd: source, encoding: 'utf8', shell: process.platform === 'win32' && !gyp });
  const output = `${run.stdout ?? ''}\n${run.stderr ?? ''}${run.error ? `\n${run.error.message}` : ''}`;
  const built = join(source, 'build', 'Release', 'digit_native.node');
  if (run.status === 0 && existsSync(built)) {
    copyFileSync(built, addon);
    done({ built: true });
  } else {
    done({ built: false, reason: run.error?.code === 'ENOENT' ? 'node-gyp not found (run npm run build:native from npm)' : reasonOf(output) });
  }
}
