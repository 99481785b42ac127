// Why a Kaggle CSV was rejected: the parser's compact stop reasons, and their FILE:LINE:COLUMN messages in the
// words a Kaggle user needs (built off the hot path, re-reading the offending field from the file).
//
// What a message may quote from the file (the path may be any file the user — or a mistake — pointed at):
// - a file whose first header field is not exactly "label" or "pixel0" is not a Kaggle CSV: nothing of it is
//   quoted, it is only classified (binary, data without a header, another separator, a submission file);
// - once it starts like a Kaggle header, a header field is quoted when it is shaped like a column name (letters,
//   then digits, at most 16 characters): a typo such as "pixle11" is what the user needs to see;
// - once the whole header is Kaggle's (784 or 785 exact names), the file is a Kaggle CSV: a data value at the
//   reported LINE:COLUMN is quoted, escaped and cut at 24 characters.

import type { FileHandle } from 'node:fs/promises';
import { badInput, type WorkbenchError } from '../../shared/errors.js';
import { PIXELS } from './mnist-digits.js';

export type DatasetKind = 'train' | 'test';

export type Reason =
  | 'empty-file' | 'first-name' | 'kind-mismatch' | 'name' | 'header-more' | 'header-fewer' | 'no-rows'
  | 'cr' | 'value' | 'empty-value' | 'empty-line' | 'more' | 'fewer' | 'truncated';

/** A failure located in the file; turned into a message off the hot path, once the field text is re-read. */
export class Stop {
  constructor(
    readonly reason: Reason,
    readonly line: number,
    readonly column: number,
    /** File offset where the offending data field starts (-1 when there is none). */
    readonly at = -1,
    /** The header field's text, already at hand. */
    readonly text = '',
  ) {}
}

export function columnName(kind: DatasetKind, column0: number): string {
  if (kind === 'train') return column0 === 0 ? 'label' : `pixel${column0 - 1}`;
  return `pixel${column0}`;
}

const TEXT_LIMIT = 24;

/** The data field's text from the file (never held while parsing), up to its delimiter. */
async function fieldText(handle: FileHandle, at: number): Promise<string> {
  const buf = Buffer.alloc(TEXT_LIMIT + 1);
  const { bytesRead } = await handle.read(buf, 0, buf.length, at);
  let end = 0;
  while (end < bytesRead && buf[end] !== 44 && buf[end] !== 10 && buf[end] !== 13) end++;
  const text = buf.toString('utf8', 0, Math.min(end, TEXT_LIMIT));
  return end > TEXT_LIMIT ? `${text}…` : text;
}

function quote(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Why a value is not plain digits, in the words a Kaggle user needs. */
function hint(text: string): string {
  const why =
    /\0/.test(text) ? 'a NUL byte: the file looks binary or corrupted'
    : /\ufeff/.test(text) ? 'a byte-order mark in the middle of the file: were two files joined?'
    : /\t/.test(text) ? 'tab-separated? Kaggle CSVs are comma-separated'
    : /;/.test(text) ? 'semicolon-separated? Kaggle CSVs are comma-separated'
    : /["']/.test(text) ? 'quotes are not allowed: write plain numbers'
    : /\s/.test(text) ? 'spaces are not allowed'
    : /^[+-]/.test(text) ? 'write plain digits without a sign'
    : /^\d*[.eE]/.test(text) ? 'it must be a whole number in plain digits'
    : /^\d{4}/.test(text) ? 'at most 3 digits'
    : '';
  return why ? ` (${why})` : '';
}

/** Column-name shaped: quoting it reveals a typo, not a line of somebody's file. */
const NAME_LIKE = /^[A-Za-z]+[0-9]*$/;
const KNOWN_FIRST = ['label', 'pixel0', 'imageid'];

/** Why a header field is wrong, without quoting it unless it is name-shaped. */
function headerField(text: string): string {
  if (NAME_LIKE.test(text)) return `got ${quote(text)}${hint(text)}`;
  return `got a field that is not a column name${hint(text) || ' (the file does not look like a Kaggle CSV)'}`;
}

/** Line 1 does not start with label or pixel0: say what the file looks like, quoting none of it. */
function notKaggle(text: string, headers: string): string {
  const head = `not a Kaggle CSV: the first line must be the header ${headers}`;
  const firstOf = text.split(/[\t;]/)[0].toLowerCase();
  if (/[\0-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]/.test(text)) return `${head}; this file looks binary`;
  if (/\t/.test(text) && KNOWN_FIRST.includes(firstOf)) return `${head}; this one looks tab-separated (Kaggle CSVs are comma-separated)`;
  if (/;/.test(text) && KNOWN_FIRST.includes(firstOf)) return `${head}; this one looks semicolon-separated (Kaggle CSVs are comma-separated)`;
  if (/^\d+…?$/.test(text)) return `${head}; this file starts with a number: is the header line missing?`;
  // Quoting a known name up to case reveals nothing but a wrong case or a submission file.
  if (text.toLowerCase() === 'imageid') return `the header must start with "label" (train.csv) or "pixel0" (test.csv), got ${quote(text)}: this is a Kaggle submission file (ImageId,Label), not a train.csv or test.csv`;
  if (KNOWN_FIRST.includes(text.toLowerCase())) return `the header must start with "label" (train.csv) or "pixel0" (test.csv), got ${quote(text)} (names are lower case)`;
  return head;
}

function fieldsWanted(kind: DatasetKind): string {
  return kind === 'train' ? `${PIXELS + 1} fields (label + ${PIXELS} pixels)` : `${PIXELS} fields (${PIXELS} pixels)`;
}

/** The bad-input error for `stop`; `at` is where the parser stood (the file's kind, the header column). */
export async function describe(
  stop: Stop,
  at: { kind: DatasetKind; col: number },
  handle: FileHandle,
  name: string,
): Promise<WorkbenchError> {
  const { reason, line, column } = stop;
  const field = columnName(at.kind, column - 1);
  const headers = `"label,pixel0,…,pixel${PIXELS - 1}" (train.csv) or "pixel0,…,pixel${PIXELS - 1}" (test.csv)`;
  let what: string;
  switch (reason) {
    case 'empty-file': what = `the file is empty; expected the header ${headers}`; break;
    case 'first-name':
      what = stop.text === '' && at.col === 0
        ? `the first line must be the header ${headers}, got an empty field`
        : notKaggle(stop.text, headers);
      break;
    case 'kind-mismatch':
      // Read in the app's Import panel and after the CLI's --kind alike: name the kind, not a flag.
      what = stop.text === 'train'
        ? 'this file has a label column (a train.csv), but it was to be imported as a test set'
        : 'this file has no label column (a test.csv), but it was to be imported as a training set';
      break;
    case 'name': what = `header field ${column} must be "${field}", ${headerField(stop.text)}`; break;
    case 'header-more': what = `the header has more than ${fieldsWanted(at.kind)}`; break;
    case 'header-fewer':
      what = `the header stops after ${column - 1} field${column === 2 ? '' : 's'}; expected ${fieldsWanted(at.kind)}`;
      break;
    case 'no-rows': what = 'no rows: the file has a header but no data'; break;
    case 'cr': what = 'a carriage return (\\r) must be followed by a newline; CR-only line ends are not supported'; break;
    case 'empty-line': what = 'empty line; only the very end of the file may have one'; break;
    case 'empty-value':
      what = column === 1 && at.kind === 'train' ? 'label is empty; expected 0–9' : `${field} is empty; expected an integer 0–255`;
      break;
    case 'more': what = `expected ${fieldsWanted(at.kind)}, found more`; break;
    case 'fewer': what = `expected ${fieldsWanted(at.kind)}, found ${column - 1}`; break;
    case 'truncated':
      what = `the last row is cut short: expected ${fieldsWanted(at.kind)}, found ${column - 1} (is the file truncated?)`;
      break;
    case 'value': {
      const text = await fieldText(handle, stop.at);
      if (column === 1 && (text === 'label' || text === 'pixel0')) what = 'the header is repeated here; were two CSV files joined?';
      else if (column === 1 && at.kind === 'train') what = `label must be 0–9, got ${quote(text)}${hint(text)}`;
      else what = `${field} must be an integer 0–255, got ${quote(text)}${hint(text)}`;
      break;
    }
  }
  return badInput(`${name}:${line}:${column}: ${what}`, { file: name, line, column });
}
