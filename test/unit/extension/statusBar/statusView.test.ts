import { strict as assert } from 'node:assert';
import type { ProfileView } from '../../../../src/core/accounts/accountManager';
import { describeStatus } from '../../../../src/extension/statusBar/statusView';
import { renderWithIcons } from '../../../support/themeIconRendering';

function profile(label: string, active: boolean): ProfileView {
  return {
    id: label,
    label,
    email: `${label}@example.com`,
    organizationName: null,
    plan: 'max',
    state: { kind: 'available' },
    active,
    tokenExpiresAt: null,
    tokenExpired: false,
  } as ProfileView;
}

describe('status bar view', () => {
  it('shows the active account and how many others can be switched to', () => {
    const view = describeStatus([profile('work', false), profile('home', true)]);
    assert.equal(view.text, '$(account) home');
    assert.match(view.tooltip, /home \(home@example\.com · max\)\. 1 other saved account\./);
    assert.match(view.accessibilityLabel, /Claude account home, home@example\.com/);
  });

  it('says when nothing is saved, and when the live login is not a saved account', () => {
    assert.equal(describeStatus([]).text, '$(account) Claude: no saved account');
    assert.equal(describeStatus([profile('work', false)]).text, '$(account) Claude: unsaved login');
  });

  it('shows a label that looks like a theme icon as typed, not as an icon', () => {
    const view = describeStatus([profile('$(zap) team', true)]);
    assert.equal(renderWithIcons(view.text), '<icon:account> $(zap) team');
    assert.match(view.accessibilityLabel, /^Claude account \$\(zap\) team,/);
  });
});
