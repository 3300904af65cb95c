import { strict as assert } from 'node:assert';
import { escapeThemeIcons } from '../../../src/extension/themeIconText';
import { renderWithIcons } from '../../support/themeIconRendering';

// Labels a person could type, including ones that look like icons, escapes and half of either.
const TRICKY = [
  'work',
  '$(zap)',
  '$(zap) team',
  'a $(zap~spin) b $(account)',
  '\\$(zap)',
  '\\\\$(zap)',
  '$(not an icon)',
  '\\$(not an icon)',
  '$($(zap))',
  '$$(zap)',
  '$(zap',
  '$()',
  'cost $5 (approx)',
  '$(ZAP-2)',
  '$(a~1)',
];

describe('escapeThemeIcons', () => {
  it('makes VS Code show every label literally', () => {
    for (const label of TRICKY) assert.equal(renderWithIcons(escapeThemeIcons(label)), label, JSON.stringify(label));
  });

  it('is needed: unescaped, some of those labels turn into icons or lose a backslash', () => {
    const broken = TRICKY.filter((label) => renderWithIcons(label) !== label);
    assert.deepEqual(broken, ['$(zap)', '$(zap) team', 'a $(zap~spin) b $(account)', '\\$(zap)', '\\\\$(zap)', '$($(zap))', '$$(zap)', '$(ZAP-2)']);
  });

  it('leaves text without an icon reference unchanged', () => {
    for (const label of ['work', '$(not an icon)', 'cost $5 (approx)', '$(zap', '$()', '$(a~1)']) assert.equal(escapeThemeIcons(label), label);
    assert.equal(escapeThemeIcons('$(zap) x'), '\\$(zap) x');
  });
});
