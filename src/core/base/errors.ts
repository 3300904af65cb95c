// How an error reads in one line (logs, notifications, CLI messages): its message, never a stack
// trace that could carry file contents.

/** The message of an Error, or the value itself as text for anything else that was thrown. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
