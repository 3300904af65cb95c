// Profile labels: what a user may name a saved login, and how a stored label is shown. New labels are
// NFC-normalised and refused when they hold anything that could attack a terminal; labels stored
// before (or edited by hand) are shown escaped, and the escaped form addresses the profile too.
import { escapeForDisplay, hasUnsafeCharacters } from '../base/displayText';
import { AccountError } from './errors';

export const MAX_LABEL_LENGTH = 64;

export function validateLabel(label: string): string {
  const n = label.normalize('NFC');
  if (hasUnsafeCharacters(n)) {
    throw new AccountError(
      'invalid-label',
      `A label must not hold control, bidirectional or invisible characters (found in "${escapeForDisplay(n)}")`,
    );
  }
  const l = n.trim();
  if (l.length === 0 || [...l].length > MAX_LABEL_LENGTH || l.startsWith('-')) {
    throw new AccountError('invalid-label', `A label must be 1–${MAX_LABEL_LENGTH} printable characters and must not start with "-"`);
  }
  return l;
}

/** How a stored label is printed anywhere. */
export function displayLabel(label: string): string {
  return escapeForDisplay(label);
}

/** Whether `typed` names the stored label: as stored, as shown, or in another Unicode normal form. */
export function labelMatches(stored: string, typed: string): boolean {
  return stored === typed || displayLabel(stored) === typed || stored.normalize('NFC') === typed.normalize('NFC');
}
