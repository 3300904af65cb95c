// The fixtures' convention for what a recording script writes: the throwaway directory replaced by a
// stable path, and anything shaped like a secret redacted.

const STABLE_ROOT = '/tmp/claude-quota-recording';

/** Replaces the throwaway directory (also as the project slug the CLI derives from it) and secrets. */
export function scrub(text: string, tmpRoot: string): string {
  // The CLI also writes the directory as a project slug (every non-alphanumeric character a dash).
  const slug = (p: string): string => p.replace(/[^A-Za-z0-9]/g, '-');
  return text
    .split(tmpRoot)
    .join(STABLE_ROOT)
    .split(slug(tmpRoot))
    .join(slug(STABLE_ROOT))
    .replace(/sk-ant-[A-Za-z0-9_-]+/g, 'sk-ant-REDACTED')
    .replace(/(Bearer\s+)(?!test-)[A-Za-z0-9._~+/=-]{16,}/g, '$1REDACTED');
}
