// Errors cross every boundary (IPC, WebSocket, trainer protocol, CLI) as plain data and are rebuilt on the other side.

export type ErrorCode =
  | 'bad-input' // malformed arguments, hyperparameters or files
  | 'not-found' // unknown id or name
  | 'conflict' // name taken, file exists, run in the wrong state
  | 'io' // the file system refused
  | 'trainer' // the trainer process failed
  | 'internal';

export interface ErrorData {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export class WorkbenchError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'WorkbenchError';
    this.code = code;
    this.details = details;
  }

  toData(): ErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static from(data: ErrorData, context?: string): WorkbenchError {
    const message = context ? `${context}: ${data.message}` : data.message;
    return new WorkbenchError(data.code, message, data.details);
  }
}

/** Anything thrown becomes error data; unexpected errors keep their message but are marked internal. */
export function toErrorData(err: unknown): ErrorData {
  if (err instanceof WorkbenchError) return err.toData();
  if (err instanceof Error) return { code: 'internal', message: err.message };
  return { code: 'internal', message: String(err) };
}

/** One failing field of a validation: its path ("validation.ratio", "model[3].filters") and the message without it. */
export interface Issue {
  path: string;
  message: string;
}

/** A validation error's details: the first failing path (for callers that name one field) and every issue. */
export interface IssueDetails {
  path: string;
  issues: Issue[];
}

/** The issues a validation failure carried, or null when the error is something else. */
export function issuesOf(err: unknown): Issue[] | null {
  if (!(err instanceof WorkbenchError) || err.code !== 'bad-input') return null;
  const issues = (err.details as Partial<IssueDetails> | undefined)?.issues;
  return Array.isArray(issues) ? issues : null;
}

export function badInput(message: string, details?: unknown): WorkbenchError {
  return new WorkbenchError('bad-input', message, details);
}

export function notFound(message: string, details?: unknown): WorkbenchError {
  return new WorkbenchError('not-found', message, details);
}

export function conflict(message: string, details?: unknown): WorkbenchError {
  return new WorkbenchError('conflict', message, details);
}
