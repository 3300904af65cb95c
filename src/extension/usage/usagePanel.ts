// The "Claude Quota: Usage" webview: one card per account with its 5-hour block, week and a chart of
// the last 24 hours. The page is static HTML from media/ under a strict Content-Security-Policy (only
// the extension's own script with a nonce, only its own stylesheet); the data arrives by postMessage.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { Disposable } from '../disposable';
import { panelData, type PanelData } from './usagePanelModel';
import type { UsageController } from './usageController';

export const USAGE_PANEL_TYPE = 'claudeQuota.usage';

/** What the page reported back after drawing (integration tests read it). */
export interface RenderedReport {
  readonly accounts: readonly { readonly label: string; readonly fiveHour: string; readonly weekly: string }[];
}

export class UsagePanel extends Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private lastPosted: PanelData | undefined;
  private lastRendered: RenderedReport | undefined;

  constructor(
    private readonly usage: UsageController,
    private readonly extensionUri: vscode.Uri,
  ) {
    super();
    this._register(usage.onDidChange(() => void this.post()));
    this._register({ dispose: () => this.panel?.dispose() });
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  get posted(): PanelData | undefined {
    return this.lastPosted;
  }

  get rendered(): RenderedReport | undefined {
    return this.lastRendered;
  }

  /** Opens (or reveals) the panel and refreshes the numbers. */
  async show(): Promise<void> {
    if (this.panel) {
      this.panel.reveal();
    } else {
      const media = vscode.Uri.joinPath(this.extensionUri, 'media');
      const panel = vscode.window.createWebviewPanel(USAGE_PANEL_TYPE, 'Claude Quota: Usage', vscode.ViewColumn.Active, {
        enableScripts: true,
        localResourceRoots: [media],
      });
      panel.iconPath = vscode.Uri.joinPath(media, 'sentinel.svg');
      panel.webview.html = usageHtml(panel.webview, media);
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.lastRendered = undefined;
      });
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m));
      this.panel = panel;
    }
    await this.usage.refresh();
    await this.post();
  }

  private onMessage(m: unknown): void {
    if (typeof m !== 'object' || m === null) return;
    const msg = m as { type?: unknown; accounts?: unknown };
    if (msg.type === 'ready') void this.post();
    else if (msg.type === 'rendered' && Array.isArray(msg.accounts)) {
      this.lastRendered = { accounts: msg.accounts.filter((a): a is RenderedReport['accounts'][number] => typeof a === 'object' && a !== null && typeof (a as { label?: unknown }).label === 'string') };
    }
  }

  private async post(): Promise<void> {
    const report = this.usage.report;
    if (!this.panel || report === null) return;
    const data = panelData(report);
    this.lastPosted = data;
    await this.panel.webview.postMessage(data);
  }
}

function usageHtml(webview: vscode.Webview, media: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'usage.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'usage.css'));
  const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>Claude Quota: Usage</title>
</head>
<body>
<header><h1>Usage per account</h1><span id="updated"></span></header>
<main id="accounts"><p class="muted">Reading transcripts…</p></main>
<footer id="note" class="muted"></footer>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
