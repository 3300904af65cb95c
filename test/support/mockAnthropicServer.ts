// Starts the mock Anthropic API for manual runs:
//   node out/test/support/mockAnthropicServer.js [scenario] [reset-in-seconds]
// then point Claude Code at the printed URL with ANTHROPIC_BASE_URL. Requests are logged to stderr.
import { MockAnthropicApi, namedScenario, type ScenarioName } from './mockAnthropicApi';

const NAMES: readonly ScenarioName[] = [
  'success',
  'five_hour',
  'seven_day',
  'seven_day_opus',
  'seven_day_sonnet',
  'overage',
  'throttle',
  'server_error',
  'overloaded',
  'auth',
  'billing',
  'warning',
];

async function main(): Promise<void> {
  const name = (process.argv[2] ?? 'success') as ScenarioName;
  if (!NAMES.includes(name)) {
    console.error(`unknown scenario ${name}; one of: ${NAMES.join(', ')}`);
    process.exit(2);
  }
  const inSeconds = Number(process.argv[3] ?? 3 * 3600);
  // Whole minute, so the CLI's clock display is exact.
  const resetsAt = Math.ceil((Date.now() / 1000 + inSeconds) / 60) * 60;
  const base = namedScenario(name, resetsAt);
  const api = new MockAnthropicApi({
    scenario: (request, index) => {
      const b = request.body as { model?: string; stream?: boolean } | undefined;
      console.error(`#${request.seq} POST /v1/messages model=${b?.model ?? '?'} stream=${String(b?.stream)} -> ${name}`);
      return base(request, index);
    },
  });
  const { url } = await api.start();
  console.log(url);
  console.error(`scenario ${name}, reset ${new Date(resetsAt * 1000).toISOString()} (${resetsAt})`);
  const stop = (): void => {
    for (const r of api.requests) {
      console.error(`${r.seq} ${r.method} ${r.path} -> ${String(r.status)}`);
    }
    void api.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
