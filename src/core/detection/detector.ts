// Per-session limit state over classifier verdicts and other signals. Pure: no I/O, no timers; every
// input carries its time and the caller drives expiry with tick(now) (see nextDeadline()).
//
// States: ok -> suspected -> blocked -> cleared (cleared behaves like ok).
//  - quota with a reset time blocks at once; without one it is suspected until a second quota signal
//    (another source, or different evidence text) confirms it within the confirmation window.
//  - other verdicts are notices only: they neither block nor clear.
//  - a block, or an account switch, starts a cooldown in which the same evidence text cannot block again,
//    because the screen keeps showing (and redrawing) the message that caused it.

import { Emitter, type Event } from '../base/event';
import type { Classification, LimitWindow, Verdict } from './types';

// The types live apart; they are the detector's, so they are exported from here too.
export type {
  SignalSource, AccountRef, DetectorSignal, Evidence, ClearReason, DismissReason, ErrorKind, SuspectedEvent,
  DismissedEvent, BlockedEvent, UpdatedEvent, ClearedEvent, ErrorEvent, WarningEvent, DetectorEvent,
  SessionState, BlockView, SuspicionView, SessionView, DetectorOptions,
} from './detectorTypes';
import type { SignalSource, AccountRef, DetectorSignal, Evidence, ClearReason, DismissReason, ErrorKind, DetectorEvent, SessionState, SessionView, DetectorOptions } from './detectorTypes';

export const DEFAULT_CONFIRM_WINDOW_MS = 60_000;
export const DEFAULT_COOLDOWN_MS = 120_000;
export const DEFAULT_FALLBACK_RETRY_MS = 3_600_000;

interface Block {
  account: AccountRef | null;
  window: LimitWindow | null;
  since: number;
  resetsAt: number;
  estimated: boolean;
  exact: boolean;
  evidence: Evidence[];
}

interface Suspicion {
  window: LimitWindow | null;
  since: number;
  expiresAt: number;
  evidence: Evidence;
}

interface Session {
  readonly id: string;
  account: AccountRef | null;
  state: SessionState;
  block: Block | null;
  suspicion: Suspicion | null;
  lastCleared: { reason: ClearReason; at: number } | null;
  cooldownUntil: number;
  cooldownTexts: Set<string>;
  /** Notice key (verdict + text) -> when it was last emitted, to drop redraw repeats. */
  notices: Map<string, number>;
}

const NOTICE_KINDS: ReadonlySet<Verdict> = new Set<Verdict>(['server', 'throttle', 'auth', 'billing']);

export class QuotaDetector {
  private readonly confirmWindowMs: number;
  private readonly cooldownMs: number;
  private fallbackRetryMs: number;
  private readonly byId = new Map<string, Session>();
  private readonly emitter: Emitter<DetectorEvent>;
  /** Every event, with the detector's state already applied. */
  readonly onEvent: Event<DetectorEvent>;

  constructor(options: DetectorOptions = {}) {
    this.emitter = new Emitter<DetectorEvent>(options.log);
    this.onEvent = this.emitter.event;
    this.confirmWindowMs = options.confirmWindowMs ?? DEFAULT_CONFIRM_WINDOW_MS;
    this.cooldownMs = options.cooldownMs ?? DEFAULT_COOLDOWN_MS;
    this.fallbackRetryMs = options.fallbackRetryMs ?? DEFAULT_FALLBACK_RETRY_MS;
  }

  /** A changed setting: applies to blocks made from now on; current blocks keep their estimate. */
  setFallbackRetryMs(ms: number): void {
    this.fallbackRetryMs = ms;
  }

  setAccount(sessionId: string, account: AccountRef | null): void {
    this.ensure(sessionId).account = account;
  }

  /** Forgets a session entirely (terminal closed); its state and cooldown are dropped without events. */
  forget(sessionId: string): void {
    this.byId.delete(sessionId);
  }

  observe(sessionId: string, signal: DetectorSignal): void {
    const s = this.ensure(sessionId);
    const at = signal.at.getTime();
    // Expiries due before this signal happen first, whether or not tick() ran in between.
    this.advance(s, at);
    switch (signal.kind) {
      case 'activity':
      case 'limit-reset':
        this.onRecovered(s, signal.kind, at);
        return;
      case 'classification':
        this.onClassification(s, signal.classification, signal.source, at, signal.exact === true);
        return;
    }
  }

  /**
   * The session now runs on another account: an active block or suspicion ends ('switched'), and the
   * evidence still on screen cannot block the new account during the cooldown.
   */
  noteAccountSwitched(sessionId: string, now: Date): void {
    const s = this.ensure(sessionId);
    const at = now.getTime();
    this.advance(s, at);
    const texts = new Set<string>();
    if (s.block !== null) {
      for (const e of s.block.evidence) {
        texts.add(e.text);
      }
    }
    if (s.suspicion !== null) {
      texts.add(s.suspicion.evidence.text);
    }
    if (at < s.cooldownUntil) {
      // A block's cooldown still running keeps its texts covered too.
      for (const t of s.cooldownTexts) {
        texts.add(t);
      }
    }
    s.cooldownTexts = texts;
    s.cooldownUntil = at + this.cooldownMs;
    if (s.block !== null) {
      this.clear(s, 'switched', at);
    } else if (s.suspicion !== null) {
      this.dismiss(s, 'switched', at);
    }
  }

  /** Applies expiries due at `now`: suspicions lapse, blocks whose reset time passed clear. */
  tick(now: Date): void {
    const at = now.getTime();
    for (const s of [...this.byId.values()]) {
      this.advance(s, at);
    }
  }

  /** The earliest instant at which tick() would change something, or null. */
  nextDeadline(): Date | null {
    let best = Infinity;
    for (const s of this.byId.values()) {
      if (s.block !== null) {
        best = Math.min(best, s.block.resetsAt);
      }
      if (s.suspicion !== null) {
        best = Math.min(best, s.suspicion.expiresAt);
      }
    }
    return best === Infinity ? null : new Date(best);
  }

  sessions(): readonly SessionView[] {
    return [...this.byId.values()].map((s) => this.view(s));
  }

  sessionView(sessionId: string): SessionView | undefined {
    const s = this.byId.get(sessionId);
    return s === undefined ? undefined : this.view(s);
  }

  private ensure(sessionId: string): Session {
    let s = this.byId.get(sessionId);
    if (s === undefined) {
      s = {
        id: sessionId,
        account: null,
        state: 'ok',
        block: null,
        suspicion: null,
        lastCleared: null,
        cooldownUntil: 0,
        cooldownTexts: new Set(),
        notices: new Map(),
      };
      this.byId.set(sessionId, s);
    }
    return s;
  }

  private advance(s: Session, at: number): void {
    if (s.suspicion !== null && at >= s.suspicion.expiresAt) {
      this.dismiss(s, 'expired', s.suspicion.expiresAt);
    }
    if (s.block !== null && at >= s.block.resetsAt) {
      this.clear(s, 'reset-passed', s.block.resetsAt);
    }
    if (s.cooldownUntil !== 0 && at >= s.cooldownUntil) {
      s.cooldownUntil = 0;
      s.cooldownTexts.clear();
    }
  }

  private onRecovered(s: Session, kind: 'activity' | 'limit-reset', at: number): void {
    // A signal older than the block (a lagging source) says nothing about it.
    if (s.block !== null && at >= s.block.since) {
      this.clear(s, kind, at);
    } else if (s.suspicion !== null && at >= s.suspicion.since) {
      this.dismiss(s, kind, at);
    }
  }

  private onClassification(s: Session, c: Classification, source: SignalSource, at: number, exact: boolean): void {
    if (c.verdict === 'none') {
      return;
    }
    const evidence: Evidence = { text: c.evidence ?? '', source, at: new Date(at) };
    if (c.verdict === 'warning') {
      if (this.freshNotice(s, 'warning', evidence.text, at)) {
        this.emit({ type: 'warning', sessionId: s.id, account: s.account, at: new Date(at), window: c.window, evidence });
      }
      return;
    }
    if (NOTICE_KINDS.has(c.verdict)) {
      if (this.freshNotice(s, c.verdict, evidence.text, at)) {
        const kind = c.verdict as ErrorKind;
        this.emit({ type: 'error', sessionId: s.id, account: s.account, at: new Date(at), kind, evidence });
      }
      return;
    }
    // quota
    // A reset time at or before the signal is a misread (or stale) time, not a usable one.
    const resetsAt = c.resetsAt !== null && c.resetsAt.getTime() > at ? c.resetsAt.getTime() : null;
    if (s.block !== null) {
      this.maybeCorrect(s, s.block, c.window, resetsAt, exact, evidence);
      return;
    }
    if (at < s.cooldownUntil && s.cooldownTexts.has(evidence.text)) {
      return;
    }
    if (resetsAt !== null) {
      const prior = s.suspicion !== null ? [s.suspicion.evidence] : [];
      this.block(s, c.window ?? s.suspicion?.window ?? null, resetsAt, false, exact, [...prior, evidence], at);
      return;
    }
    const sus = s.suspicion;
    if (sus !== null && consistent(sus.window, c.window) && independent(sus.evidence, evidence)) {
      this.block(s, c.window ?? sus.window, at + this.fallbackRetryMs, true, false, [sus.evidence, evidence], at);
      return;
    }
    if (sus !== null && consistent(sus.window, c.window)) {
      // The same text again from the same source is a redraw, not confirmation; keep the original deadline.
      return;
    }
    const suspicion: Suspicion = { window: c.window, since: at, expiresAt: at + this.confirmWindowMs, evidence };
    s.suspicion = suspicion;
    s.state = 'suspected';
    this.emit({
      type: 'suspected',
      sessionId: s.id,
      account: s.account,
      at: new Date(at),
      window: suspicion.window,
      evidence,
      expiresAt: new Date(suspicion.expiresAt),
    });
  }

  private block(
    s: Session,
    window: LimitWindow | null,
    resetsAt: number,
    estimated: boolean,
    exact: boolean,
    evidence: Evidence[],
    at: number,
  ): void {
    const block: Block = { account: s.account, window, since: at, resetsAt, estimated, exact, evidence };
    s.block = block;
    s.suspicion = null;
    s.state = 'blocked';
    s.cooldownUntil = at + this.cooldownMs;
    s.cooldownTexts = new Set(evidence.map((e) => e.text));
    this.emit({
      type: 'blocked',
      sessionId: s.id,
      account: block.account,
      at: new Date(at),
      window,
      resetsAt: new Date(resetsAt),
      resetEstimated: estimated,
      evidence: [...evidence],
    });
  }

  /**
   * Precision ranks estimated < read from text < exact. A more precise reset time replaces a less precise
   * one; between two texts the later reset wins (the account is usable only once every window reset);
   * a newer exact value replaces an older exact one.
   */
  private maybeCorrect(
    s: Session,
    b: Block,
    window: LimitWindow | null,
    resetsAt: number | null,
    exact: boolean,
    evidence: Evidence,
  ): void {
    if (resetsAt === null) {
      return;
    }
    let accept: boolean;
    if (b.estimated) {
      accept = true;
    } else if (exact) {
      accept = !b.exact || resetsAt !== b.resetsAt || (window !== null && window !== b.window);
    } else {
      accept = !b.exact && resetsAt > b.resetsAt;
    }
    if (!accept) {
      return;
    }
    const previous = b.resetsAt;
    b.resetsAt = resetsAt;
    b.estimated = false;
    b.exact = b.exact || exact;
    if (window !== null) {
      b.window = window;
    }
    b.evidence.push(evidence);
    s.cooldownTexts.add(evidence.text);
    this.emit({
      type: 'updated',
      sessionId: s.id,
      account: b.account,
      at: evidence.at,
      window: b.window,
      resetsAt: new Date(b.resetsAt),
      resetEstimated: false,
      previousResetsAt: new Date(previous),
      evidence,
    });
  }

  private clear(s: Session, reason: ClearReason, at: number): void {
    const b = s.block;
    if (b === null) {
      return;
    }
    s.block = null;
    s.state = 'cleared';
    s.lastCleared = { reason, at };
    this.emit({ type: 'cleared', sessionId: s.id, account: s.account, at: new Date(at), reason, blockedAccount: b.account, window: b.window });
  }

  private dismiss(s: Session, reason: DismissReason, at: number): void {
    if (s.suspicion === null) {
      return;
    }
    s.suspicion = null;
    s.state = 'ok';
    this.emit({ type: 'dismissed', sessionId: s.id, account: s.account, at: new Date(at), reason });
  }

  /** Repeats of the same notice within the cooldown are redraws of one message, not new events. */
  private freshNotice(s: Session, verdict: Verdict, text: string, at: number): boolean {
    for (const [key, when] of s.notices) {
      if (at - when >= this.cooldownMs) {
        s.notices.delete(key);
      }
    }
    const key = `${verdict}\u0000${text}`;
    const last = s.notices.get(key);
    if (last !== undefined && at - last < this.cooldownMs) {
      return false;
    }
    s.notices.set(key, at);
    return true;
  }

  private view(s: Session): SessionView {
    const b = s.block;
    const sus = s.suspicion;
    return {
      sessionId: s.id,
      account: s.account,
      state: s.state,
      block:
        b === null
          ? null
          : {
              account: b.account,
              window: b.window,
              since: new Date(b.since),
              resetsAt: new Date(b.resetsAt),
              resetEstimated: b.estimated,
              exact: b.exact,
              evidence: [...b.evidence],
            },
      suspicion:
        sus === null ? null : { window: sus.window, since: new Date(sus.since), expiresAt: new Date(sus.expiresAt), evidence: sus.evidence },
      lastCleared: s.lastCleared === null ? null : { reason: s.lastCleared.reason, at: new Date(s.lastCleared.at) },
      cooldownUntil: s.cooldownUntil === 0 ? null : new Date(s.cooldownUntil),
    };
  }

  private emit(event: DetectorEvent): void {
    this.emitter.fire(event);
  }
}

/** Two windows agree unless both are known and differ. */
function consistent(a: LimitWindow | null, b: LimitWindow | null): boolean {
  return a === null || b === null || a === b;
}

/** A confirmation must come from another source or say something else; a redraw of the same line is not one. */
function independent(first: Evidence, second: Evidence): boolean {
  return first.source !== second.source || first.text !== second.text;
}
