// The datasets domain's facade methods: list, inspect, import, rename, delete, version.

import type { HandlersOf, MethodsOf, WorkbenchContext } from '../handlers.js';
import * as datasets from './repo.js';
import { createDatasetVersion, datasetVersionOf } from './versions.js';

export function datasetHandlers(wb: WorkbenchContext): HandlersOf<MethodsOf<'datasets'>> {
  return {
    'datasets:list': () => datasets.listDatasets(wb.db),
    'datasets:get': ({ id }) => ({ ...datasets.datasetDetail(wb.db, id), version: datasetVersionOf(wb.db, id) }),
    'datasets:import': (args) => wb.importDataset(args),
    'datasets:rename': ({ id, name }) => {
      const renamed = datasets.renameDataset(wb.db, id, name.trim());
      wb.emit({ type: 'datasets:changed' });
      return renamed;
    },
    'datasets:delete': ({ id }) => {
      datasets.deleteDataset(wb.db, id);
      wb.emit({ type: 'datasets:changed' });
      return { id };
    },
    'datasets:images': (args) => datasets.datasetImages(wb.db, args),
    'datasets:version': ({ id, relabels, excludes, name }) => {
      const result = createDatasetVersion(wb.db, { parentId: id, relabels, excludes, name: name?.trim() });
      if (!result.existing) wb.emit({ type: 'datasets:changed' });
      return result;
    },
  };
}
