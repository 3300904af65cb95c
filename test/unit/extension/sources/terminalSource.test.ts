// TerminalSource's logic against fake window functions: executions whose read() yields recorded
// chunks, terminals with and without shell integration, settings turned off and on.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { escapeFlood } from '../../../support/escapeFlood';
import { FIXTURES } from '../../../support/paths';
import { Logger } from '../../../../src/core/base/logger';
import { DEFAULTS, type Settings } from '../../../../src/extension/settings';
import type { SourceEvent } from '../../../../src/extension/sources/sessionSource';
import { TerminalSource, TerminalSourceOptions, TerminalWindow } from '../../../../src/extension/sources/terminalSource';

const RECORDINGS = path.join(FIXTURES, 'recordings');

interface RecordingMeta {
  readonly recordedAt: string;
  readonly timeZone: string;
  readonly expected: { readonly verdict: string; readonly window: string | null; readonly resetsAt: string | null };
}

function recording(name: string): { chunks: string[]; meta: RecordingMeta } {
  const text = fs.readFileSync(path.join(RECORDINGS, `${name}.bin`)).toString('utf8');
  const meta = JSON.parse(fs.readFileSync(path.join(RECORDINGS, `${name}.json`), 'utf8')) as RecordingMeta;
  // Cut by code points, the way VS Code hands out decoded strings.
  const points = Array.from(text);
  const chunks: string[] = [];
  for (let i = 0; i < points.length; i += 97) chunks.push(points.slice(i, i + 97).join(''));
  return { chunks, meta };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

class FakeEvent<T> {
  private readonly listeners = new Set<(e: T) => unknown>();
  readonly event = ((listener: (e: T) => unknown) => {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }) as vscode.Event<T>;
  get listenerCount(): number {
    return this.listeners.size;
  }
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
}

/** An execution whose read() stream is fed by the test; data pushed before read() is lost, as in VS Code. */
class FakeExecution {
  readonly commandLine: vscode.TerminalShellExecutionCommandLine;
  readonly cwd = undefined;
  readCalls = 0;
  returned = false;
  private queue: string[] = [];
  private ended = false;
  private waiting: (() => void) | null = null;

  constructor(commandLine: string) {
    this.commandLine = { value: commandLine, isTrusted: true, confidence: 2 };
  }

  read(): AsyncIterable<string> {
    this.readCalls++;
    const next = async (): Promise<IteratorResult<string>> => {
      for (;;) {
        const value = this.queue.shift();
        if (value !== undefined) return { done: false, value };
        if (this.ended) return { done: true, value: undefined };
        await new Promise<void>((resolve) => (this.waiting = resolve));
      }
    };
    const done = async (): Promise<IteratorResult<string>> => {
      this.returned = true;
      return { done: true, value: undefined };
    };
    return { [Symbol.asyncIterator]: () => ({ next, return: done }) };
  }

  push(...chunks: string[]): void {
    if (this.readCalls === 0) return;
    this.queue.push(...chunks);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }
}

class FakeTerminal {
  shellIntegration: { executeCommand: (cmd: string) => unknown } | undefined;
  readonly executed: string[] = [];
  readonly sent: string[] = [];
  shown = 0;
  constructor(
    readonly name: string,
    readonly creationOptions: Record<string, unknown> = {},
    integrated = true,
    readonly processId: Promise<number | undefined> = Promise.resolve(4242),
  ) {
    if (integrated) this.integrate();
  }
  integrate(): void {
    this.shellIntegration = { executeCommand: (cmd: string) => this.executed.push(cmd) };
  }
  sendText(text: string): void {
    this.sent.push(text);
  }
  show(): void {
    this.shown++;
  }
}

class FakeWindow {
  terminals: FakeTerminal[] = [];
  readonly open = new FakeEvent<vscode.Terminal>();
  readonly close = new FakeEvent<vscode.Terminal>();
  readonly integration = new FakeEvent<vscode.TerminalShellIntegrationChangeEvent>();
  readonly start = new FakeEvent<vscode.TerminalShellExecutionStartEvent>();
  readonly end = new FakeEvent<vscode.TerminalShellExecutionEndEvent>();
  readonly created: FakeTerminal[] = [];
  integratedOnCreate = false;

  readonly api: TerminalWindow = (() => {
    const api = {
      onDidOpenTerminal: this.open.event,
      onDidCloseTerminal: this.close.event,
      onDidChangeTerminalShellIntegration: this.integration.event,
      onDidStartTerminalShellExecution: this.start.event,
      onDidEndTerminalShellExecution: this.end.event,
      createTerminal: (options: vscode.TerminalOptions) => {
        const t = new FakeTerminal(options.name ?? 'bash', options as Record<string, unknown>, this.integratedOnCreate);
        this.created.push(t);
        this.openTerminal(t);
        return t;
      },
    };
    // Live, like vscode.window.terminals.
    Object.defineProperty(api, 'terminals', { get: () => this.terminals });
    return api as unknown as TerminalWindow;
  })();

  listenerCount(): number {
    return [this.open, this.close, this.integration, this.start, this.end].reduce((n, e) => n + e.listenerCount, 0);
  }

  openTerminal(t: FakeTerminal): void {
    this.terminals.push(t);
    this.open.fire(t as unknown as vscode.Terminal);
  }

  closeTerminal(t: FakeTerminal): void {
    this.terminals = this.terminals.filter((x) => x !== t);
    this.close.fire(t as unknown as vscode.Terminal);
  }

  integrate(t: FakeTerminal): void {
    t.integrate();
    this.integration.fire({ terminal: t, shellIntegration: t.shellIntegration } as unknown as vscode.TerminalShellIntegrationChangeEvent);
  }

  run(t: FakeTerminal, commandLine: string): FakeExecution {
    const execution = new FakeExecution(commandLine);
    this.start.fire({ terminal: t, shellIntegration: t.shellIntegration, execution } as unknown as vscode.TerminalShellExecutionStartEvent);
    return execution;
  }

  finish(t: FakeTerminal, execution: FakeExecution, endStream = true): void {
    this.end.fire({ terminal: t, shellIntegration: t.shellIntegration, execution, exitCode: 0 } as unknown as vscode.TerminalShellExecutionEndEvent);
    if (endStream) execution.end();
  }
}

class FakeConfig {
  values: Settings = { ...DEFAULTS };
  private readonly listeners = new Set<{ keys: string[]; run: () => void }>();
  readonly read = <K extends keyof Settings>(key: K): Settings[K] => this.values[key];
  onChange(keys: (keyof Settings)[], run: () => void): vscode.Disposable {
    const entry = { keys, run };
    this.listeners.add(entry);
    return { dispose: () => void this.listeners.delete(entry) };
  }
  set<K extends keyof Settings>(key: K, value: Settings[K]): void {
    this.values = { ...this.values, [key]: value };
    for (const l of [...this.listeners]) if (l.keys.includes(key)) l.run();
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
}

describe('TerminalSource (fake window)', () => {
  let window: FakeWindow;
  let config: FakeConfig;
  let source: TerminalSource | null;
  let events: SourceEvent[];
  let logLines: string[];
  let processes: Map<number, string[]>;

  const five = recording('five_hour');
  const overloaded = recording('overloaded');

  beforeEach(() => {
    window = new FakeWindow();
    config = new FakeConfig();
    source = null;
    events = [];
    logLines = [];
    processes = new Map();
  });

  afterEach(() => {
    source?.dispose();
  });

  function create(extra: Partial<TerminalSourceOptions> = {}, meta: RecordingMeta = five.meta): TerminalSource {
    const sink = (level: string) => (m: string) => logLines.push(`${level} ${m}`);
    source = new TerminalSource({
      settings: config.read,
      config,
      window: window.api,
      logger: new Logger({ trace: sink('trace'), debug: sink('debug'), info: sink('info'), warn: sink('warn'), error: sink('error') }).child('terminals'),
      timeContext: () => ({ now: new Date(meta.recordedAt), timeZone: meta.timeZone }),
      processCommandLines: (pid) => processes.get(pid) ?? [],
      shellIntegrationTimeoutMs: 40,
      recheckMs: 30,
      endGraceMs: 50,
      launchFallbackMs: 60,
      ...extra,
    });
    source.onEvent((e) => events.push(e));
    return source;
  }

  const ofType = <T extends SourceEvent['type']>(type: T): Extract<SourceEvent, { type: T }>[] =>
    events.filter((e): e is Extract<SourceEvent, { type: T }> => e.type === type);
  function assertQuotaLines(verdicts: Extract<SourceEvent, { type: 'verdict' }>[]): void {
    assert.equal(verdicts.length, 3, verdicts.map((v) => v.classification.evidence).join('\n'));
    assert.equal(new Set(verdicts.map((v) => v.classification.evidence)).size, 3);
    for (const v of verdicts) {
      assert.equal(v.classification.verdict, 'quota');
      assert.equal(v.classification.resetsAt?.toISOString(), five.meta.expected.resetsAt);
    }
    assert.equal(verdicts[0].classification.window, 'five_hour');
  }
  const stateCount = (): number => (source as unknown as { states: Map<unknown, unknown> }).states.size;

  it('reads a claude execution from its start event and reports the quota verdict, then the removal at its end', async () => {
    create();
    const t = new FakeTerminal('bash');
    window.openTerminal(t);
    const execution = window.run(t, 'claude');
    // read() inside the start handler: output written right after the event is not lost.
    assert.equal(execution.readCalls, 1);
    assert.deepEqual(events, [{ type: 'sessionAdded', session: { id: 'terminal:1', kind: 'terminal', where: 'bash' } }]);
    assert.deepEqual(source?.sessions(), [{ id: 'terminal:1', kind: 'terminal', where: 'bash' }]);

    execution.push(...five.chunks);
    await until('a verdict', () => ofType('verdict').length > 0);
    const verdict = ofType('verdict')[0];
    assert.equal(verdict.id, 'terminal:1');
    assert.equal(verdict.classification.verdict, 'quota');
    assert.equal(verdict.classification.window, 'five_hour');
    assert.equal(verdict.classification.resetsAt?.toISOString(), five.meta.expected.resetsAt);
    assert.equal(verdict.at.toISOString(), new Date(five.meta.recordedAt).toISOString());

    window.finish(t, execution);
    await until('sessionRemoved', () => ofType('sessionRemoved').length > 0);
    assert.deepEqual(ofType('sessionRemoved'), [{ type: 'sessionRemoved', id: 'terminal:1' }]);
    assert.deepEqual(source?.sessions(), []);
    // Claude Code prints three limit lines (the error, the transcript note, the footer); each is
    // reported once, and the final look repeats none of them.
    assertQuotaLines(ofType('verdict'));
  });

  it('reports a 529 as a server verdict and never as quota', async () => {
    create({}, overloaded.meta);
    const t = new FakeTerminal('zsh');
    window.openTerminal(t);
    const execution = window.run(t, 'claude --resume');
    execution.push(...overloaded.chunks);
    window.finish(t, execution);
    await until('sessionRemoved', () => ofType('sessionRemoved').length > 0);
    const verdicts = ofType('verdict').map((v) => v.classification.verdict);
    assert.ok(verdicts.includes('server'), `verdicts: ${verdicts.join(', ')}`);
    assert.ok(!verdicts.includes('quota'));
  });

  it('finishes with a final look when the stream does not end with the execution', async () => {
    create();
    const t = new FakeTerminal('bash');
    window.openTerminal(t);
    const execution = window.run(t, 'claude');
    // The last line has no newline yet: held back until the final look.
    execution.push('\u26a0 Usage limit reached \u00b7 limit resets 11pm');
    await sleep(20);
    assert.equal(ofType('verdict').length, 0);
    window.finish(t, execution, false);
    await until('sessionRemoved', () => ofType('sessionRemoved').length > 0);
    assert.equal(ofType('verdict').length, 1);
    assert.equal(ofType('verdict')[0].classification.verdict, 'quota');
    assert.equal(execution.returned, true, 'the stream was released');
  });

  it('ignores other commands and does not read them', async () => {
    create();
    const t = new FakeTerminal('bash');
    window.openTerminal(t);
    for (const line of ['ls -la', 'cat claude.md', 'echo claude', 'claude-monitor']) {
      const execution = window.run(t, line);
      assert.equal(execution.readCalls, 0, line);
      execution.push(...five.chunks);
      window.finish(t, execution);
    }
    await sleep(20);
    assert.deepEqual(events, []);
  });

  it('numbers terminals once each and keeps the number for later sessions in the same terminal', async () => {
    create();
    const a = new FakeTerminal('one');
    const b = new FakeTerminal('two');
    window.openTerminal(a);
    window.openTerminal(b);
    const e1 = window.run(b, 'claude');
    window.finish(b, e1);
    await until('removed', () => ofType('sessionRemoved').length === 1);
    const e2 = window.run(a, 'claude');
    const e3 = window.run(b, 'claude -c');
    assert.deepEqual(
      ofType('sessionAdded').map((e) => e.session),
      [
        { id: 'terminal:2', kind: 'terminal', where: 'two' },
        { id: 'terminal:1', kind: 'terminal', where: 'one' },
        { id: 'terminal:2', kind: 'terminal', where: 'two' },
      ],
    );
    window.finish(a, e2);
    window.finish(b, e3);
    await until('all removed', () => ofType('sessionRemoved').length === 3);
  });

  it('a new claude execution in the same terminal replaces the one still being read', () => {
    create();
    const t = new FakeTerminal('bash');
    window.openTerminal(t);
    const first = window.run(t, 'claude');
    window.run(t, 'claude');
    assert.deepEqual(
      events.map((e) => e.type),
      ['sessionAdded', 'sessionRemoved', 'sessionAdded'],
    );
    assert.equal(first.readCalls, 1);
    assert.equal(source?.sessions().length, 1);
  });

  it('closing a terminal takes a final look, removes the session and prunes the terminal', async () => {
    create();
    const t = new FakeTerminal('bash');
    window.openTerminal(t);
    const execution = window.run(t, 'claude');
    execution.push(...five.chunks);
    await until('a verdict', () => ofType('verdict').length > 0);
    assert.equal(stateCount(), 1);
    window.closeTerminal(t);
    assert.equal(stateCount(), 0);
    await until('sessionRemoved', () => ofType('sessionRemoved').length > 0);
    assert.equal(execution.returned, true);
    assert.deepEqual(source?.sessions(), []);
    // Terminals that never ran Claude Code are pruned too.
    for (let i = 0; i < 20; i++) {
      const other = new FakeTerminal(`t${i}`);
      window.openTerminal(other);
      window.closeTerminal(other);
    }
    assert.equal(stateCount(), 0);
  });

  it('turning the setting off stops every read at once; turning it on watches again', async () => {
    create();
    assert.equal(source?.enabled, true);
    const t = new FakeTerminal('bash');
    window.openTerminal(t);
    const execution = window.run(t, 'claude');
    const listeners = window.listenerCount();
    assert.equal(listeners, 5);

    config.set('sources.terminals', false);
    assert.equal(source?.enabled, false);
    assert.deepEqual(ofType('sessionRemoved'), [{ type: 'sessionRemoved', id: 'terminal:1' }]);
    assert.equal(window.listenerCount(), 0);
    assert.equal(stateCount(), 0);
    await until('stream released', () => execution.returned);
    // Output after that is not read.
    execution.push(...five.chunks);
    const ignored = window.run(t, 'claude');
    assert.equal(ignored.readCalls, 0);
    await sleep(20);
    assert.equal(ofType('verdict').length, 0);

    config.set('sources.terminals', true);
    assert.equal(window.listenerCount(), 5);
    const again = window.run(t, 'claude');
    assert.equal(again.readCalls, 1);
    assert.equal(ofType('sessionAdded').at(-1)?.session.id, 'terminal:2');
    again.push(...five.chunks);
    await until('a verdict', () => ofType('verdict').length > 0);
  });

  it('starts off when the setting is off', () => {
    config.values = { ...config.values, 'sources.terminals': false };
    create();
    assert.equal(source?.enabled, false);
    assert.equal(window.listenerCount(), 0);
  });

  it('dispose stops reads, drops every listener and clears its timers', async () => {
    create();
    const t = new FakeTerminal('bash');
    window.openTerminal(t);
    window.openTerminal(new FakeTerminal('Claude Code', {}, false));
    const execution = window.run(t, 'claude');
    source?.dispose();
    assert.equal(window.listenerCount(), 0);
    assert.equal(config.listenerCount, 0);
    await until('stream released', () => execution.returned);
    await sleep(80); // past the integration timeout: nothing fires after disposal
    assert.deepEqual(
      events.map((e) => e.type),
      ['sessionAdded', 'sessionRemoved'],
    );
  });

  it('follows claudeCommandPatterns and logs invalid patterns', () => {
    create();
    config.set('claudeCommandPatterns', ['(broken', '^cc(\\s|$)']);
    assert.ok(logLines.some((l) => l.startsWith('warn') && l.includes('(broken')), logLines.join('\n'));
    const t = new FakeTerminal('bash');
    window.openTerminal(t);
    assert.equal(window.run(t, 'claude').readCalls, 0);
    assert.equal(window.run(t, 'cc --resume').readCalls, 1);
  });

  describe('unwatched terminals', () => {
    it('a terminal named for Claude Code without shell integration', async () => {
      create();
      const t = new FakeTerminal('Claude Code', {}, false);
      window.openTerminal(t);
      await until('unwatched', () => ofType('unwatched').length > 0);
      assert.deepEqual(ofType('unwatched'), [{ type: 'unwatched', id: 'terminal:1', where: 'Claude Code', reason: 'no-shell-integration' }]);
      window.closeTerminal(t);
      assert.deepEqual(events.at(-1), { type: 'unwatchedGone', id: 'terminal:1' });
      assert.equal(stateCount(), 0);
    });

    it('a terminal whose creation options start Claude Code', async () => {
      create();
      window.openTerminal(new FakeTerminal('work', { shellPath: '/home/u/.local/bin/claude' }, false));
      await until('unwatched', () => ofType('unwatched').length > 0);
      assert.equal(ofType('unwatched')[0].reason, 'no-shell-integration');
    });

    it('an ordinary terminal without shell integration only once Claude Code runs in it', async () => {
      create();
      const t = new FakeTerminal('cmd', {}, false, Promise.resolve(77));
      processes.set(77, ['cmd.exe']);
      window.openTerminal(t);
      await sleep(100);
      assert.deepEqual(events, []);
      processes.set(77, ['cmd.exe', 'node /usr/local/bin/claude']);
      await until('unwatched', () => ofType('unwatched').length > 0);
      assert.equal(ofType('unwatched')[0].reason, 'no-shell-integration');
      processes.set(77, ['cmd.exe']);
      await until('unwatchedGone', () => ofType('unwatchedGone').length > 0);
    });

    it('a terminal that gets shell integration in time is not reported', async () => {
      create();
      const t = new FakeTerminal('Claude Code', {}, false);
      window.openTerminal(t);
      await sleep(10);
      window.integrate(t);
      await sleep(100);
      assert.deepEqual(events, []);
    });

    it('late shell integration withdraws the report', async () => {
      create();
      const t = new FakeTerminal('Claude Code', {}, false);
      window.openTerminal(t);
      await until('unwatched', () => ofType('unwatched').length > 0);
      window.integrate(t);
      assert.deepEqual(events.at(-1), { type: 'unwatchedGone', id: 'terminal:1' });
    });

    it('Claude Code already running when watching begins', async () => {
      const t = new FakeTerminal('bash', {}, true, Promise.resolve(900));
      processes.set(900, ['/bin/bash', 'claude --continue']);
      window.terminals.push(t);
      create();
      await until('unwatched', () => ofType('unwatched').length > 0);
      assert.deepEqual(ofType('unwatched'), [{ type: 'unwatched', id: 'terminal:1', where: 'bash', reason: 'started-before-activation' }]);
      // Its end arrives through shell integration; the next one is read.
      window.finish(t, new FakeExecution('claude --continue'));
      assert.deepEqual(events.at(-1), { type: 'unwatchedGone', id: 'terminal:1' });
      const next = window.run(t, 'claude');
      assert.equal(next.readCalls, 1);
    });

    it('a watched start withdraws a started-before-activation report', async () => {
      const t = new FakeTerminal('bash', {}, true, Promise.resolve(901));
      processes.set(901, ['/bin/bash', 'claude']);
      window.terminals.push(t);
      create();
      await until('unwatched', () => ofType('unwatched').length > 0);
      window.run(t, 'claude');
      assert.deepEqual(
        events.map((e) => e.type),
        ['unwatched', 'unwatchedGone', 'sessionAdded'],
      );
    });

    it('terminals open at activation without Claude Code are not reported', async () => {
      const t = new FakeTerminal('bash', {}, true, Promise.resolve(902));
      processes.set(902, ['/bin/bash', 'vim notes.md']);
      window.terminals.push(t);
      create();
      await sleep(100);
      assert.deepEqual(events, []);
    });

    it('tmux is left to the tmux source, and reported only when that source is off and tmux starts Claude Code', async () => {
      create();
      const t = new FakeTerminal('bash');
      window.openTerminal(t);
      const attach = window.run(t, 'tmux new claude');
      assert.equal(attach.readCalls, 0);
      window.finish(t, attach);
      config.set('sources.tmux', false);
      const plain = window.run(t, 'tmux attach');
      window.finish(t, plain);
      assert.deepEqual(events, []);
      const withClaude = window.run(t, "tmux new -s w 'claude --resume'");
      assert.equal(withClaude.readCalls, 0);
      assert.deepEqual(events, [{ type: 'unwatched', id: 'terminal:1', where: 'bash', reason: 'runs-tmux' }]);
      window.finish(t, withClaude);
      assert.deepEqual(events.at(-1), { type: 'unwatchedGone', id: 'terminal:1' });
      await sleep(10);
    });
  });

  describe('openWatchedTerminal', () => {
    it('runs claude through shell integration once it is ready', () => {
      create();
      const t = source?.openWatchedTerminal('/tmp') as unknown as FakeTerminal;
      assert.equal(t.name, 'Claude Code');
      assert.equal(t.creationOptions.cwd, '/tmp');
      assert.equal(t.shown, 1);
      assert.deepEqual(t.executed, []);
      window.integrate(t);
      assert.deepEqual(t.executed, ['claude']);
      assert.deepEqual(t.sent, []);
    });

    it('runs at once when shell integration is already there', () => {
      create();
      window.integratedOnCreate = true;
      const t = source?.openWatchedTerminal() as unknown as FakeTerminal;
      assert.deepEqual(t.executed, ['claude']);
    });

    it('types the command when shell integration does not come', async () => {
      create();
      const t = source?.openWatchedTerminal() as unknown as FakeTerminal;
      await until('sendText', () => t.sent.length > 0);
      assert.deepEqual(t.sent, ['claude']);
      window.integrate(t);
      assert.deepEqual(t.executed, []);
      assert.ok(logLines.some((l) => l.startsWith('warn') && l.includes('typing claude')));
    });

    it('gives up quietly when the terminal is closed first', async () => {
      create();
      const t = source?.openWatchedTerminal() as unknown as FakeTerminal;
      window.closeTerminal(t);
      await sleep(100);
      assert.deepEqual(t.sent, []);
    });
  });

  it('an escape flood trips the session\'s CPU budget once, logged once under its id; a limit after the next quiet moment is still reported', async () => {
    create();
    const t = new FakeTerminal('bash');
    window.openTerminal(t);
    const execution = window.run(t, 'claude');
    // Queued at once, so the reader takes chunk after chunk with no quiet moment between them.
    for (const chunk of escapeFlood(24 * 1024 * 1024)) execution.push(chunk.toString('utf8'));
    const tripped = (): string[] => logLines.filter((l) => l.includes('of CPU within'));
    await until('the trip', () => tripped().length > 0, 20_000);
    await sleep(250); // the rest of the flood is skipped, then a quiet moment
    const before = ofType('verdict').length;
    execution.push(...five.chunks);
    await until('a verdict after the flood', () => ofType('verdict').slice(before).some((v) => v.classification.verdict === 'quota'), 5000);
    const quota = ofType('verdict').slice(before).find((v) => v.classification.verdict === 'quota');
    assert.equal(quota?.classification.resetsAt?.toISOString(), five.meta.expected.resetsAt);
    assert.deepEqual(tripped().length, 1, tripped().join('\n'));
    assert.match(tripped()[0], /^warn \[terminals\] terminal:1: its output took more than/);
    window.finish(t, execution);
    await until('sessionRemoved', () => ofType('sessionRemoved').length > 0);
  });

  it('reads the recording at the default screen size with one chunk per byte run of any length', async () => {
    create();
    const t = new FakeTerminal('bash');
    window.openTerminal(t);
    const execution = window.run(t, 'claude');
    const whole = five.chunks.join('');
    // Uneven cuts, including single characters.
    let at = 0;
    let step = 1;
    while (at < whole.length) {
      execution.push(whole.slice(at, at + step));
      at += step;
      step = (step * 7 + 3) % 211 || 1;
    }
    window.finish(t, execution);
    await until('sessionRemoved', () => ofType('sessionRemoved').length > 0);
    assertQuotaLines(ofType('verdict'));
  });
});
