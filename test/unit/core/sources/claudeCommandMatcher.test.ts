import { strict as assert } from 'node:assert';
import { localTimeContext, localTimeZone } from '../../../../src/core/detection/timeZone';
import {
  compileCommandPatterns,
  creationOptionsSuggestClaude,
  isClaudeCommand,
  isTmuxCommand,
  mentionsClaudeCommand,
  nameSuggestsClaude,
  processesRunClaude,
  stripCommandPrefixes,
} from '../../../../src/core/sources/claudeCommandMatcher';
import { DEFAULTS } from '../../../../src/extension/settings';

function defaultPatterns(): string[] {
  return [...DEFAULTS.claudeCommandPatterns];
}

describe('claudeCommandMatcher', () => {
  const patterns = compileCommandPatterns(defaultPatterns());

  it('compiles the default patterns', () => {
    assert.equal(patterns.length, 2);
  });

  it('reports and skips invalid patterns, and ignores empty ones', () => {
    const invalid: string[] = [];
    const compiled = compileCommandPatterns(['^claude', '(unclosed', '', '  ', 'x[', 'ok'], (p, err) => {
      assert.ok(err.length > 0);
      invalid.push(p);
    });
    assert.deepEqual(compiled.map((r) => r.source), ['^claude', 'ok']);
    assert.deepEqual(invalid, ['(unclosed', 'x[']);
  });

  describe('isClaudeCommand', () => {
    const yes = [
      'claude',
      'claude --resume',
      '  claude -p "hi"',
      '/usr/local/bin/claude',
      '~/.local/bin/claude --continue',
      './claude',
      'claude.exe',
      'npx @anthropic-ai/claude-code',
      'node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js',
      'ANTHROPIC_MODEL=opus claude',
      "FOO='a b' BAR=1 claude --model sonnet",
      'env CLAUDE_CONFIG_DIR=/tmp/x claude',
      'exec claude',
      'time claude -p hello',
    ];
    const no = [
      '',
      '   ',
      'claude-monitor',
      'claudes',
      'echo claude',
      'grep -r claude src',
      'cat claude.md',
      'vim CLAUDE.md',
      'ls ~/.claude',
      'git commit -m "claude"',
      'tmux new claude',
    ];
    for (const line of yes) it(`matches ${JSON.stringify(line)}`, () => assert.equal(isClaudeCommand(line, patterns), true));
    for (const line of no) it(`does not match ${JSON.stringify(line)}`, () => assert.equal(isClaudeCommand(line, patterns), false));

    it('matches nothing without patterns', () => {
      assert.equal(isClaudeCommand('claude', []), false);
    });

    it('uses custom patterns as given', () => {
      const custom = compileCommandPatterns(['^cc(\\s|$)']);
      assert.equal(isClaudeCommand('cc --resume', custom), true);
      assert.equal(isClaudeCommand('claude', custom), false);
    });
  });

  it('strips leading assignments and wrapper words', () => {
    assert.equal(stripCommandPrefixes('  A=1 B="x y" env exec claude -c'), 'claude -c');
    assert.equal(stripCommandPrefixes('claude'), 'claude');
    assert.equal(stripCommandPrefixes('echo A=1'), 'echo A=1');
  });

  it('recognises tmux clients', () => {
    assert.equal(isTmuxCommand('tmux'), true);
    assert.equal(isTmuxCommand('tmux attach -t work'), true);
    assert.equal(isTmuxCommand('/usr/bin/tmux new -s x'), true);
    assert.equal(isTmuxCommand('TERM=xterm tmux'), true);
    assert.equal(isTmuxCommand('tmuxinator start'), false);
    assert.equal(isTmuxCommand('echo tmux'), false);
  });

  it('finds Claude Code named later in a command line', () => {
    assert.equal(mentionsClaudeCommand("tmux new -s work 'claude --resume'", patterns), true);
    assert.equal(mentionsClaudeCommand('tmux new-session claude', patterns), true);
    assert.equal(mentionsClaudeCommand('tmux attach -t claude-work', patterns), false);
    assert.equal(mentionsClaudeCommand('tmux', patterns), false);
  });

  it('judges terminal names', () => {
    assert.equal(nameSuggestsClaude('Claude Code', patterns), true);
    assert.equal(nameSuggestsClaude('claude', patterns), true);
    assert.equal(nameSuggestsClaude('claude: my-project', patterns), true);
    assert.equal(nameSuggestsClaude('bash', patterns), false);
    assert.equal(nameSuggestsClaude('claudette', patterns), false);
  });

  it('judges creation options', () => {
    assert.equal(creationOptionsSuggestClaude({ shellPath: '/home/u/.local/bin/claude' }, patterns), true);
    assert.equal(creationOptionsSuggestClaude({ shellPath: 'claude', shellArgs: ['--resume'] }, patterns), true);
    assert.equal(creationOptionsSuggestClaude({ shellPath: '/bin/bash', shellArgs: ['-c', 'claude'] }, patterns), true);
    assert.equal(creationOptionsSuggestClaude({ shellPath: 'npx', shellArgs: '@anthropic-ai/claude-code' }, patterns), true);
    assert.equal(creationOptionsSuggestClaude({ shellPath: '/bin/bash' }, patterns), false);
    assert.equal(creationOptionsSuggestClaude({}, patterns), false);
    assert.equal(creationOptionsSuggestClaude(undefined, patterns), false);
  });

  it('judges process trees', () => {
    assert.equal(processesRunClaude(['/bin/bash', 'claude'], patterns), true);
    assert.equal(processesRunClaude(['/bin/bash', '/home/u/.local/share/claude/versions/2.1.0'], patterns), false);
    // An npm bin link runs under its interpreter.
    assert.equal(processesRunClaude(['-bash', 'node /usr/local/bin/claude --resume'], patterns), true);
    assert.equal(processesRunClaude(['/usr/bin/env node --no-warnings /usr/local/bin/claude'], patterns), true);
    assert.equal(processesRunClaude(['node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js'], patterns), true);
    assert.equal(processesRunClaude(['bash', 'node server.js', 'vim claude.md'], patterns), false);
    assert.equal(processesRunClaude([], patterns), false);
  });

  it('gives the local time context', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const ctx = localTimeContext(now);
    assert.equal(ctx.now, now);
    assert.equal(ctx.timeZone, localTimeZone());
    assert.equal(ctx.timeZone, Intl.DateTimeFormat().resolvedOptions().timeZone);
    assert.ok(localTimeContext().now.getTime() <= Date.now());
  });
});
