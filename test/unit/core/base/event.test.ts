// The one Emitter: vscode.Event's shape, and one rule for a failing listener (log it, go on).
import { strict as assert } from 'node:assert';
import { Emitter, type Disposable, type ListenerErrorLog } from '../../../../src/core/base/event';

function memoryLog(): ListenerErrorLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, error: (message, err) => lines.push(`${message}: ${err instanceof Error ? err.message : String(err)}`) };
}

describe('Emitter', () => {
  it('calls listeners in order with the value, bound to thisArgs', () => {
    const e = new Emitter<number>();
    const seen: string[] = [];
    const owner = { name: 'owner', seen };
    e.event(function (this: typeof owner, v) { this.seen.push(`${this.name}:${v}`); }, owner);
    e.event((v) => seen.push(`second:${v}`));
    e.fire(1);
    e.fire(2);
    assert.deepEqual(seen, ['owner:1', 'second:1', 'owner:2', 'second:2']);
  });

  it('adds the subscription to the disposables given, and stops calling a disposed listener', () => {
    const e = new Emitter<string>();
    const seen: string[] = [];
    const disposables: Disposable[] = [];
    const sub = e.event((v) => seen.push(v), undefined, disposables);
    assert.equal(disposables.length, 1);
    e.fire('a');
    disposables[0].dispose();
    e.fire('b');
    assert.deepEqual(seen, ['a']);
    sub.dispose(); // twice is harmless
  });

  it('logs a failing listener and goes on to the next; fire never throws', () => {
    const log = memoryLog();
    const e = new Emitter<string>(log);
    const seen: string[] = [];
    e.event((v) => seen.push(`first:${v}`));
    e.event(() => {
      throw new Error('listener broke');
    });
    e.event((v) => seen.push(`third:${v}`));
    assert.doesNotThrow(() => e.fire('x'));
    assert.deepEqual(seen, ['first:x', 'third:x']);
    assert.deepEqual(log.lines, ['event listener failed: listener broke']);
    e.fire('y');
    assert.deepEqual(seen, ['first:x', 'third:x', 'first:y', 'third:y']);
    assert.equal(log.lines.length, 2);
  });

  it('without a logger skips a failing listener silently', () => {
    const e = new Emitter<number>();
    let after = 0;
    e.event(() => {
      throw new Error('broken');
    });
    e.event(() => after++);
    assert.doesNotThrow(() => e.fire(1));
    assert.equal(after, 1);
  });

  it('takes its logger lazily, for an owner that sets it after its fields', () => {
    const owner: { log?: ReturnType<typeof memoryLog> } = {};
    const e = new Emitter<number>(() => owner.log);
    e.event(() => {
      throw new Error('early');
    });
    e.fire(1);
    owner.log = memoryLog();
    e.fire(2);
    assert.deepEqual(owner.log.lines, ['event listener failed: early']);
  });

  it('a listener added during a fire is called from the next fire on', () => {
    const e = new Emitter<number>();
    const seen: string[] = [];
    e.event((v) => {
      seen.push(`a${v}`);
      if (v === 1) e.event((w) => seen.push(`b${w}`));
    });
    e.fire(1);
    e.fire(2);
    assert.deepEqual(seen, ['a1', 'a2', 'b2']);
  });

  it('fires nothing once disposed, also to listeners after the one that disposed it', () => {
    const e = new Emitter<number>();
    const seen: number[] = [];
    e.event(() => e.dispose());
    e.event((v) => seen.push(v));
    e.fire(1);
    e.event((v) => seen.push(v));
    e.fire(2);
    assert.deepEqual(seen, []);
  });
});
