import * as assert from 'node:assert/strict';
import { allExhaustedMessage, exhaustedItemView, promptMessage, switchedMessage } from '../../../../src/extension/accounts/autoSwitchText';
import { renderWithIcons } from '../../../support/themeIconRendering';

const NOW = new Date(Date.UTC(2026, 10, 23, 12, 0, 0));
const work = { id: 'w', label: 'work' };
const home = { id: 'h', label: 'home' };

describe('auto-switch texts', () => {
  it('says why each switch happened', () => {
    assert.equal(switchedMessage(work, home, 'blocked'), 'Claude Code switched from work to home: work hit its usage limit. Running sessions use home from their next request.');
    assert.equal(switchedMessage(home, work, 'reset'), 'Claude Code switched back to work: its usage limit has reset.');
    assert.equal(switchedMessage(home, work, 'undo'), 'Claude Code switched back to work; it stays until its limit resets.');
    assert.match(switchedMessage(null, home, 'blocked'), /^Claude Code switched from the previous login to home/);
  });

  it('names the earliest reset, and the switch back only when it is another account', () => {
    const at = new Date(NOW.getTime() + 2 * 3_600_000 + 5 * 60_000);
    assert.equal(
      allExhaustedMessage(home, at, 'w', NOW, 'UTC'),
      'Every saved Claude account has hit its usage limit. The first to reset is home, at 2:05 pm (in 2h 5m). Claude Code switches to home then.',
    );
    assert.equal(allExhaustedMessage(work, at, 'w', NOW, 'UTC'), 'Every saved Claude account has hit its usage limit. The first to reset is work, at 2:05 pm (in 2h 5m).');
  });

  it('asks in plain words', () => {
    assert.equal(promptMessage(work, home), 'work hit its usage limit and home is available. Switch automatically next time?');
  });

  it('the status item escapes the label in its Markdown tooltip and has an accessible label', () => {
    const v = exhaustedItemView({ id: 'x', label: 'a*b_[c]' }, new Date(NOW.getTime() + 3_600_000), NOW, 'UTC');
    assert.equal(v.text, '$(circle-slash) a*b_[c] 1:00 pm');
    assert.match(v.tooltipMarkdown, /\*\*a\\\*b\\_\\\[c\\\]\*\*/);
    assert.equal(v.accessibilityLabel, 'Every Claude account is exhausted; a*b_[c] resets first, at 1:00 pm. Activate to switch account.');
  });

  it('shows a label that looks like a theme icon as typed in the exhausted status item', () => {
    const v = exhaustedItemView({ id: 'x', label: 'a $(zap) b' }, new Date(NOW.getTime() + 3_600_000), NOW, 'UTC');
    assert.equal(renderWithIcons(v.text), '<icon:circle-slash> a $(zap) b 1:00 pm');
    assert.match(v.tooltipMarkdown, /\*\*a \\\$\\\(zap\\\) b\*\*/);
    assert.equal(v.accessibilityLabel, 'Every Claude account is exhausted; a $(zap) b resets first, at 1:00 pm. Activate to switch account.');
  });
});
