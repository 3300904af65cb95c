// Errors of the account layer. Messages name files and fields, never values: a token must never reach
// a log, a notification or a terminal.

export type AccountErrorCode =
  | 'not-found'
  | 'exists'
  | 'invalid-label'
  | 'malformed'
  | 'symlink'
  | 'not-regular-file'
  | 'io'
  | 'lock-timeout'
  | 'override'
  | 'no-login'
  | 'unsaved-login'
  | 'changed-concurrently'
  | 'unsupported';

export class AccountError extends Error {
  constructor(
    readonly code: AccountErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}

/** A one-line, value-free description of a filesystem error (code and syscall only). */
export function describeFsError(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; syscall?: unknown };
    const code = typeof e.code === 'string' ? e.code : 'error';
    const syscall = typeof e.syscall === 'string' ? ` during ${e.syscall}` : '';
    return `${code}${syscall}`;
  }
  return 'unknown error';
}

export function errnoCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return undefined;
}

/** Wraps a filesystem failure into an AccountError that names the file but none of its content. */
export function ioError(action: string, file: string, err: unknown): AccountError {
  if (err instanceof AccountError) return err;
  return new AccountError('io', `Could not ${action} ${file}: ${describeFsError(err)}`);
}
