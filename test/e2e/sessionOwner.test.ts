// Why usage is not attributed by the transcripts' `session-owner` lines: with the real CLI, a login
// switched during a session keeps the owner the session started with, while the turns after the
// switch are served by the new login. Should a later CLI write the serving account there, this
// test fails and owner lines become usable for attribution.
import * as assert from 'node:assert/strict';
import { runSessionOwnerSwitch } from '../support/recordSessionOwner';
import { assertQuotaCliBuilt, ensureClaudeInstalled } from './claudeCli';
import { tmuxAvailable } from './tmuxPane';

interface Line {
  type?: string;
  accountUuid?: string;
  message?: { content?: Array<{ type?: string; text?: string }> };
}

describe('e2e: session-owner lines with the real Claude Code CLI', function () {
  this.timeout(180_000);

  before(async function () {
    this.timeout(15 * 60_000);
    if (!tmuxAvailable()) {
      throw new Error('tmux is required for the TUI test (apt-get install tmux)');
    }
    assertQuotaCliBuilt();
    await ensureClaudeInstalled();
  });

  it('keep naming the account that started the session after claude-quota switched the login mid-session', async () => {
    const r = await runSessionOwnerSwitch({ continued: false, switchWith: 'accounts' });
    // The switch reached the API: the first turn went out as alpha, the next two as beta.
    assert.deepEqual(r.tokens, [r.alpha.accessToken, r.beta.accessToken, r.beta.accessToken]);

    const lines = r.transcript
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Line);
    const owners = lines.flatMap((l, i) => (l.type === 'session-owner' ? [{ i, uuid: l.accountUuid }] : []));
    const answers = lines.flatMap((l, i) => (l.type === 'assistant' ? [{ i, text: l.message?.content?.find((c) => c.type === 'text')?.text }] : []));
    assert.deepEqual(
      answers.map((a) => a.text),
      ['Hello from alpha.', 'Hello from beta.', 'Hello from beta.'],
    );
    // Owner lines exist (written as the session starts), all name alpha, and none was written
    // between the switch and beta's answers.
    assert.ok(owners.length >= 1, 'no session-owner line');
    assert.ok(owners[0].i < answers[0].i, 'the first owner line comes after the first answer');
    assert.deepEqual(
      owners.map((o) => o.uuid),
      owners.map(() => r.alpha.account.accountUuid),
    );
    assert.ok(!r.transcript.includes(r.beta.account.accountUuid), 'beta is named somewhere in the transcript');
    assert.ok(owners.every((o) => o.i < r.linesBeforeSwitch), 'an owner line was written after the switch');
  });
});
