// What the controllers need of each other, as slices of the real classes: one file, so a member a
// controller renames shows up here once, and tests hand in fakes of exactly these members.
import type { AccountsController } from './accounts/accountsController';
import type { SessionsController } from './sessions/sessionsController';

/** Saved accounts and when they change (sessions, usage, status bar). */
export type AccountsFeed = Pick<AccountsController, 'list' | 'onDidChangeAccounts'>;
/** …and the quiet switch (auto-switch). */
export type SwitchingAccounts = Pick<AccountsController, 'list' | 'onDidChangeAccounts' | 'switchQuietly'>;
/** Detector events and the snapshot (resume, notifier). */
export type SessionsFeed = Pick<SessionsController, 'onDetectorEvent' | 'snapshot'>;
/** The snapshot and when it changes (usage, status bar). */
export type SessionsSnapshotFeed = Pick<SessionsController, 'snapshot' | 'onDidChange'>;
/** Detector events alone (auto-switch). */
export type DetectorEvents = Pick<SessionsController, 'onDetectorEvent'>;
