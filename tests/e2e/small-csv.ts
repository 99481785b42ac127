// A small Kaggle-format train.csv of real digits for the UI to upload (the same maker as the integration tests).
import { writeSmallCsv as write } from '../helpers/small-dataset.js';

export function writeSmallCsv(file: string, count: number, seed = 11): Promise<string> {
  return write(file, count, seed);
}
