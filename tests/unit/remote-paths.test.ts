// What serve mode sends a browser: the data folder's fields emptied, file fields reduced to names, the folder named
// in words inside messages, and nothing else touched (pixels and notes may hold slashes that are no path).
import { describe, expect, it } from 'vitest';
import { DATA_FOLDER_WORDS, remoteJson } from '../../src/server/remote-paths.js';

const folders = ['/srv/dw-home'];
const seen = (value: unknown) => JSON.parse(remoteJson(value, folders)) as Record<string, unknown>;

describe('remoteJson', () => {
  it('sends no data folder path in settings and app info', () => {
    expect(seen({ backend: 'auto', concurrency: 1, home: '/srv/dw-home' })).toEqual({ backend: 'auto', concurrency: 1, home: null });
    expect(seen({ version: '1', home: 'C:\\Users\\me\\dw', platform: 'win32' }).home).toBeNull();
  });

  it('reduces a dataset source, a ledger path and a model export to the file name', () => {
    const reply = { type: 'reply', id: 1, ok: true, result: [{ id: 3, source: '/home/me/kaggle/train.csv' }, { id: 4, source: 'sample' }, { id: 5, source: 'version of dataset 3' }] };
    expect(seen(reply).result).toEqual([{ id: 3, source: 'train.csv' }, { id: 4, source: 'sample' }, { id: 5, source: 'version of dataset 3' }]);
    expect(seen({ path: '/srv/dw-home/exports/submission-run1.csv' }).path).toBe('submission-run1.csv');
    expect(seen({ path: 'D:\\models\\run1.onnx', files: ['run1.onnx'] })).toEqual({ path: 'run1.onnx', files: ['run1.onnx'] });
    expect(seen({ submissionPath: '/srv/dw-home/exports/autopilot-1.csv' }).submissionPath).toBe('autopilot-1.csv');
    expect(seen({ type: 'event', event: { type: 'import:progress', file: '/srv/dw-home/uploads/1-ab.csv' } }).event).toEqual({ type: 'import:progress', file: '1-ab.csv' });
  });

  it('names the data folder in words inside messages and log lines', () => {
    const error = { code: 'io', message: 'cannot write /srv/dw-home/exports/a.csv', details: { line: 'opened /srv/dw-home/db.sqlite' } };
    expect(seen(error)).toEqual({
      code: 'io',
      message: `cannot write ${DATA_FOLDER_WORDS}/exports/a.csv`,
      details: { line: `opened ${DATA_FOLDER_WORDS}/db.sqlite` },
    });
  });

  it('leaves other strings alone: validation paths, pixels, notes', () => {
    const value = { details: { path: 'model[3].filters' }, pixels: '/9j/AAAA+/', notes: 'tried /tmp/x first' };
    expect(seen(value)).toEqual(value);
  });
});
