// The data folder: --home, then $DIGIT_WORKBENCH_HOME, then the OS app-data folder.
import { describe, expect, it } from 'vitest';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultHome, resolveHome } from '../../src/core/home.js';

describe('resolveHome', () => {
  it('prefers --home, then the environment, then the OS folder', () => {
    expect(resolveHome('some/dir', { DIGIT_WORKBENCH_HOME: '/env' })).toBe(resolve('some/dir'));
    expect(resolveHome(undefined, { DIGIT_WORKBENCH_HOME: '/env' })).toBe('/env');
    expect(resolveHome(undefined, {})).toBe(defaultHome(process.platform, {}));
  });

  it('uses ~/.config/digit-workbench on Linux, like Electron userData', () => {
    expect(defaultHome('linux', {})).toBe(join(homedir(), '.config', 'digit-workbench'));
    expect(defaultHome('linux', { XDG_CONFIG_HOME: '/x' })).toBe('/x/digit-workbench');
    expect(defaultHome('darwin', {})).toBe(join(homedir(), 'Library', 'Application Support', 'digit-workbench'));
  });
});
