// `claude-quota accounts` against the real Claude Code CLI: after a switch, the very next request
// Claude Code sends carries the switched-to account's token.
import * as assert from 'node:assert/strict';
import { subscriberIdentity } from '../support/claudeSandbox';
import { MockAnthropicApi } from '../support/mockAnthropicApi';
import { assertQuotaCliBuilt, ClaudeSandbox, ensureClaudeInstalled, type RunResult } from './claudeCli';

interface ListedProfile {
  label: string;
  email: string;
  active: boolean;
}

describe('e2e: accounts switch with the real Claude Code CLI', function () {
  this.timeout(120_000);

  const alpha = subscriberIdentity('alpha');
  const beta = subscriberIdentity('beta');
  const secrets = [alpha.accessToken, alpha.refreshToken, beta.accessToken, beta.refreshToken];
  let sandbox: ClaudeSandbox | undefined;
  let api: MockAnthropicApi | undefined;
  let scanned = 0;

  /** Every stdout/stderr of every process the test runs goes through here. */
  function assertNoToken(what: string, r: RunResult): void {
    for (const [stream, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
      for (const secret of secrets) {
        assert.ok(!text.includes(secret), `${what} printed a token on ${stream}`);
      }
      scanned += 1;
    }
  }

  before(async function () {
    this.timeout(15 * 60_000); // first install on a fresh machine downloads node 24 and the CLI
    assertQuotaCliBuilt();
    await ensureClaudeInstalled();
  });

  beforeEach(async () => {
    sandbox = ClaudeSandbox.create('alpha');
    api = new MockAnthropicApi({ scenario: () => ({ kind: 'success', text: 'Hello from the mock API.' }) });
    await api.start();
  });

  afterEach(async () => {
    await api?.close();
    api = undefined;
    sandbox?.remove();
    sandbox = undefined;
  });

  async function quota(...args: string[]): Promise<RunResult> {
    const r = await sandbox!.runQuota(args);
    assertNoToken(`claude-quota ${args.join(' ')}`, r);
    assert.equal(r.code, 0, `claude-quota ${args.join(' ')} exited ${String(r.code)}: ${r.stderr}`);
    return r;
  }

  /** Runs `claude -p hi` and returns the credential its (only) Messages request carried. */
  async function claudeTurn(): Promise<string | undefined> {
    const before = api!.messageRequests().length;
    const r = await sandbox!.runPrint('hi', api!.url);
    assertNoToken('claude -p', r);
    assert.equal(r.code, 0, `claude -p exited ${String(r.code)}; stdout: ${r.stdout}; stderr: ${r.stderr}`);
    assert.match(r.stdout, /Hello from the mock API\./);
    const sent = api!.messageRequests().slice(before);
    assert.ok(sent.length >= 1, 'claude sent no Messages request');
    const credentials = new Set(sent.map((s) => s.authorization));
    assert.equal(credentials.size, 1, `one turn used several credentials: ${[...credentials].join(', ')}`);
    assert.ok(sent.every((s) => s.apiKey === undefined), 'a subscriber request carried x-api-key');
    return sent[0]?.authorization;
  }

  async function listed(): Promise<ListedProfile[]> {
    const r = await quota('accounts', 'list', '--json');
    assert.doesNotMatch(r.stdout, /accessToken|refreshToken|test-access-|test-refresh-/);
    return JSON.parse(r.stdout) as ListedProfile[];
  }

  function activeLabel(profiles: ListedProfile[]): string[] {
    return profiles.filter((p) => p.active).map((p) => p.label);
  }

  it('sends the switched-to account token on the next request, and never prints a token', async () => {
    await quota('accounts', 'add', 'alpha');
    // As if the user ran /login with another account.
    sandbox!.login(beta);
    await quota('accounts', 'add', 'beta');
    assert.deepEqual(activeLabel(await listed()), ['beta']);

    await quota('accounts', 'switch', 'alpha');
    const profiles = await listed();
    assert.deepEqual(
      profiles.map((p) => [p.label, p.email, p.active]),
      [
        ['alpha', 'alpha@example.com', true],
        ['beta', 'beta@example.com', false],
      ],
    );
    assert.equal(await claudeTurn(), `Bearer ${alpha.accessToken}`);

    await quota('accounts', 'switch', 'beta');
    assert.deepEqual(activeLabel(await listed()), ['beta']);
    assert.equal(await claudeTurn(), `Bearer ${beta.accessToken}`);

    // And back: the profile saved on the way out still works.
    await quota('accounts', 'switch', 'alpha');
    assert.equal(await claudeTurn(), `Bearer ${alpha.accessToken}`);

    // 8 claude-quota commands and 3 turns, two streams each: nothing escaped the scan.
    assert.equal(scanned, 2 * (8 + 3));
    // The only credentials the mock saw are the two logins' access tokens.
    for (const r of api!.requests) {
      assert.ok(r.authorization === undefined || secrets.some((s) => r.authorization === `Bearer ${s}`), `unexpected credential on ${r.path}`);
    }
  });
});
