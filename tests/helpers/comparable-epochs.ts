// An epoch's metrics without what depends on the machine's load (time, speed, the trainer's CPU and memory): what
// "the same run gives the same metrics" compares.
import type { EpochMetrics } from '../../src/shared/runs.js';

export const comparable = (epochs: EpochMetrics[]) => epochs.map(({ seconds: _s, imagesPerSecond: _i, cpuPercent: _c, rssMb: _r, ...rest }) => rest);
