// Secrets must never reach logs, notifications or test output. Everything that leaves the
// process as text goes through redactSecrets first.

// Values of fields that hold secrets in Claude Code's files and in HTTP headers.
const SECRET_FIELD = /("(?:accessToken|refreshToken|access_token|refresh_token|apiKey|api_key|token|idToken|id_token|secret|password)"\s*:\s*")([^"\\]{1,4096})(")/gi;
// Anthropic-style keys and OAuth tokens, whatever field they sit in.
const ANTHROPIC_TOKEN = /\bsk-ant-[A-Za-z0-9]{2,8}-[A-Za-z0-9_-]{8,}/g;
// Authorization / x-api-key header values.
const AUTH_HEADER = /\b(authorization|x-api-key|proxy-authorization)(\s*[:=]\s*)(?:bearer\s+)?[^\s,;"']{4,}/gi;
// Environment variables that carry credentials.
const ENV_SECRET = /\b(CLAUDE_CODE_OAUTH_TOKEN|ANTHROPIC_API_KEY|ANTHROPIC_AUTH_TOKEN)(=)[^\s"']+/g;

const MASK = '«redacted»';

export function redactSecrets(text: string, knownSecrets: Iterable<string> = []): string {
  let out = text
    .replace(SECRET_FIELD, `$1${MASK}$3`)
    .replace(ANTHROPIC_TOKEN, MASK)
    .replace(AUTH_HEADER, `$1$2${MASK}`)
    .replace(ENV_SECRET, `$1$2${MASK}`);
  for (const secret of knownSecrets) {
    // Short values would mask ordinary words; real tokens are long.
    if (secret.length >= 8) out = out.split(secret).join(MASK);
  }
  return out;
}
