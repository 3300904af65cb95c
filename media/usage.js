// Usage panel page: draws what the extension posts. Text goes in through textContent only.
// @ts-check
(function () {
  // eslint-disable-next-line no-undef
  const vscode = acquireVsCodeApi();
  const root = document.getElementById('accounts');
  const updated = document.getElementById('updated');
  const note = document.getElementById('note');

  /** @param {string} tag @param {string} [cls] @param {string} [text] */
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function windowBlock(w, fallbackTitle) {
    const box = el('section', 'window');
    if (!w) {
      box.append(el('h3', '', fallbackTitle), el('p', 'muted', 'No block running'));
      return { box, text: 'no block running' };
    }
    const head = el('h3', '', w.title);
    if (w.estimated) head.append(el('span', 'badge', 'estimated'));
    const total = el('p', 'total', w.totalText);
    const bar = el('div', 'bar');
    bar.setAttribute('role', 'meter');
    bar.setAttribute('aria-label', `${w.title}: ${w.limitText}`);
    const fill = el('div', 'fill');
    const pct = w.percent === null ? 0 : w.percent;
    fill.style.width = `${pct}%`;
    if (pct >= 80) fill.classList.add('high');
    bar.append(fill);
    if (w.percent === null) bar.classList.add('unknown');
    box.append(head, total, bar, el('p', 'muted', w.limitText), el('p', 'muted', w.periodText));
    if (w.projectionText) box.append(el('p', 'projection', w.projectionText));
    return { box, text: `${w.totalText} · ${w.limitText}` };
  }

  function chart(a) {
    const wrap = el('figure', 'chart');
    wrap.setAttribute('aria-label', `Tokens per hour for ${a.label}, last 24 hours`);
    const bars = el('div', 'bars');
    a.hourly.forEach((v, i) => {
      const b = el('div', 'hour');
      b.style.height = `${Math.round((v / a.hourlyMax) * 100)}%`;
      b.title = `${a.hourLabels[i]}: ${v.toLocaleString()} tokens`;
      bars.append(b);
    });
    wrap.append(bars, el('figcaption', 'muted', 'Tokens per hour, last 24 hours'));
    return wrap;
  }

  function render(data) {
    updated.textContent = data.generatedText;
    note.textContent = data.note;
    root.replaceChildren();
    const rendered = [];
    if (data.accounts.length === 0) root.append(el('p', 'muted', 'No usage found in the transcripts yet.'));
    for (const a of data.accounts) {
      const card = el('article', a.active ? 'account active' : 'account');
      const h = el('h2', '', a.label);
      if (a.active) h.append(el('span', 'badge', 'active'));
      const five = windowBlock(a.fiveHour, '5-hour block');
      const week = windowBlock(a.weekly, 'week');
      const windows = el('div', 'windows');
      windows.append(five.box, week.box);
      card.append(h, el('p', 'muted', `Burn rate: ${a.burnText}`), windows, chart(a));
      root.append(card);
      rendered.push({ label: a.label, fiveHour: five.text, weekly: week.text });
    }
    vscode.postMessage({ type: 'rendered', accounts: rendered });
  }

  window.addEventListener('message', (event) => {
    const data = event.data;
    if (data && data.type === 'usage') render(data);
  });
  vscode.postMessage({ type: 'ready' });
})();
