// What the suites that run the real Claude Code CLI against the extension host's own (temporary)
// CLAUDE_CONFIG_DIR share: the onboarding keys that keep the CLI's first-run screens away, and
// plain text out of a terminal's raw output stream.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLAUDE_CODE_VERSION } from '../../support/claudeSandbox';

/** The keys of the onboarding screens Claude Code would otherwise show, merged into the host's .claude.json. */
export function prepareClaudeJson(configDir: string, cwd: string): void {
  const file = path.join(configDir, '.claude.json');
  const json = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const projects = (json.projects as Record<string, unknown> | undefined) ?? {};
  projects[cwd] = { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true, allowedTools: [] };
  Object.assign(json, {
    hasCompletedOnboarding: true,
    lastOnboardingVersion: CLAUDE_CODE_VERSION,
    lastReleaseNotesSeen: CLAUDE_CODE_VERSION,
    theme: 'dark',
    numStartups: 5,
    autoUpdates: false,
    projects,
  });
  fs.writeFileSync(file, JSON.stringify(json, null, 2), { mode: 0o600 });
}

/** A terminal's raw output without its escape sequences. */
export function plain(raw: string): string {
  return raw.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]/g, '');
}
