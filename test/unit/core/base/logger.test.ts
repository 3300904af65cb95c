import { strict as assert } from 'node:assert';
import { Logger, LogSink, LogLevel } from '../../../../src/core/base/logger';
import { redactSecrets } from '../../../../src/core/base/redact';

class MemorySink implements LogSink {
  readonly lines: Array<[LogLevel, string]> = [];
  trace(m: string): void { this.lines.push(['trace', m]); }
  debug(m: string): void { this.lines.push(['debug', m]); }
  info(m: string): void { this.lines.push(['info', m]); }
  warn(m: string): void { this.lines.push(['warn', m]); }
  error(m: string): void { this.lines.push(['error', m]); }
}

describe('Logger', () => {
  it('tags lines with their component and level', () => {
    const sink = new MemorySink();
    new Logger(sink).child('tmux').warn('server gone');
    assert.deepEqual(sink.lines, [['warn', '[tmux] server gone']]);
  });

  it('rate-limits repeated lines and reports how many were dropped', () => {
    const sink = new MemorySink();
    let now = 0;
    const log = new Logger(sink, { maxRepeats: 2, windowMs: 1000, clock: () => now }).child('screen');
    for (let i = 0; i < 10; i++) log.info('same');
    log.info('other');
    assert.equal(sink.lines.filter(([, m]) => m === '[screen] same').length, 2);
    now = 1500;
    log.info('same');
    assert.deepEqual(sink.lines.slice(-2), [
      ['info', '[screen] (previous line repeated 8 more times)'],
      ['info', '[screen] same'],
    ]);
  });

  it('redacts secrets in messages and errors', () => {
    const sink = new MemorySink();
    const log = new Logger(sink, { knownSecrets: () => ['test-known-secret-value'] }).child('accounts');
    log.error('switch failed', new Error('bad file {"refreshToken":"test-refresh-zzz"} test-known-secret-value'));
    const [, line] = sink.lines[0];
    assert.ok(!line.includes('test-refresh-zzz'), line);
    assert.ok(!line.includes('test-known-secret-value'), line);
    assert.match(line, /switch failed: bad file/);
  });
});

describe('redactSecrets', () => {
  it('masks token fields, bearer headers, env assignments and sk-ant shaped keys', () => {
    const key = ['sk', 'ant', 'api03', 'abcdefghijklmnop'].join('-');
    const text = `{"accessToken":"aaa-bbb-ccc","scopes":["user:inference"]} Authorization: Bearer tok123456 ANTHROPIC_API_KEY=xyz123 key ${key}`;
    const out = redactSecrets(text);
    for (const secret of ['aaa-bbb-ccc', 'tok123456', 'xyz123', key]) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
    assert.ok(out.includes('user:inference'), 'non-secret fields stay readable');
  });

  it('leaves ordinary text alone', () => {
    const text = "You've hit your limit · resets 8pm (Europe/Paris)";
    assert.equal(redactSecrets(text), text);
  });
});
