// A local stand-in for the Anthropic API, good enough for the real Claude Code CLI to run a turn
// against it (ANTHROPIC_BASE_URL=http://127.0.0.1:PORT). It answers the Messages API (streaming
// and not), can be told to answer a request with a usage-limit 429, a throttle, a server error,
// an auth or a billing error, and records every request so tests can check which credentials a
// request carried. It only ever listens on 127.0.0.1.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Values of `anthropic-ratelimit-unified-representative-claim` that the CLI understands. */
export type UnifiedClaim =
  | 'five_hour'
  | 'seven_day'
  | 'seven_day_opus'
  | 'seven_day_sonnet'
  | 'seven_day_overage_included'
  | 'overage';

/** Windows that carry their own `-<abbr>-utilization/-reset/-status/-surpassed-threshold` headers. */
export type UnifiedWindow = 'five_hour' | 'seven_day' | 'overage';

/** Header abbreviation per window, as the CLI builds the names (`anthropic-ratelimit-unified-5h-…`). */
export const WINDOW_ABBREVIATION: Readonly<Record<UnifiedWindow, string>> = {
  five_hour: '5h',
  seven_day: '7d',
  overage: 'overage',
};

export interface WindowState {
  /** 0..1 */
  utilization: number;
  /** Unix seconds. */
  resetsAt: number;
  status?: 'allowed' | 'allowed_warning' | 'rejected';
  /** Threshold (0..1) the utilization crossed; makes the CLI warn right away. */
  surpassedThreshold?: number;
}

export interface UnifiedHeadersOptions {
  status: 'allowed' | 'allowed_warning' | 'rejected';
  /** Unix seconds of the representative reset. */
  resetsAt?: number;
  claim?: UnifiedClaim;
  windows?: Partial<Record<UnifiedWindow, WindowState>>;
  /** `anthropic-ratelimit-unified-fallback: available|unavailable`. */
  fallbackAvailable?: boolean;
  overageStatus?: 'allowed' | 'allowed_warning' | 'rejected';
  overageResetsAt?: number;
  /** e.g. out_of_credits, org_level_disabled. */
  overageDisabledReason?: string;
}

/** Builds the `anthropic-ratelimit-unified-*` header set the real API sends to subscribers. */
export function unifiedHeaders(options: UnifiedHeadersOptions): Record<string, string> {
  const h: Record<string, string> = { 'anthropic-ratelimit-unified-status': options.status };
  if (options.resetsAt !== undefined) {
    h['anthropic-ratelimit-unified-reset'] = String(options.resetsAt);
  }
  if (options.claim !== undefined) {
    h['anthropic-ratelimit-unified-representative-claim'] = options.claim;
  }
  if (options.fallbackAvailable !== undefined) {
    h['anthropic-ratelimit-unified-fallback'] = options.fallbackAvailable ? 'available' : 'unavailable';
  }
  for (const [window, state] of Object.entries(options.windows ?? {}) as [UnifiedWindow, WindowState][]) {
    const prefix = `anthropic-ratelimit-unified-${WINDOW_ABBREVIATION[window]}`;
    h[`${prefix}-utilization`] = String(state.utilization);
    h[`${prefix}-reset`] = String(state.resetsAt);
    if (state.status !== undefined) {
      h[`${prefix}-status`] = state.status;
    }
    if (state.surpassedThreshold !== undefined) {
      h[`${prefix}-surpassed-threshold`] = String(state.surpassedThreshold);
    }
  }
  if (options.overageStatus !== undefined) {
    h['anthropic-ratelimit-unified-overage-status'] = options.overageStatus;
  }
  if (options.overageResetsAt !== undefined) {
    h['anthropic-ratelimit-unified-overage-reset'] = String(options.overageResetsAt);
  }
  if (options.overageDisabledReason !== undefined) {
    h['anthropic-ratelimit-unified-overage-disabled-reason'] = options.overageDisabledReason;
  }
  return h;
}

/** What the mock answers to one `POST /v1/messages`. */
export type MockReply =
  /** A normal assistant reply; `headers` lets a test attach e.g. utilization warnings. */
  | { kind: 'success'; text?: string; headers?: Record<string, string> }
  /** Subscriber usage limit: 429 `rate_limit_error` with unified headers. */
  | {
      kind: 'usageLimit';
      claim: UnifiedClaim;
      /** Unix seconds. */
      resetsAt: number;
      message?: string;
      /** Merged over the generated unified headers (e.g. overage fields). */
      headers?: Record<string, string>;
    }
  /** Plain 429 without unified headers: a short-term throttle the CLI retries. */
  | { kind: 'throttle'; retryAfterSeconds?: number; message?: string }
  | { kind: 'serverError'; message?: string }
  | { kind: 'overloaded'; message?: string }
  | { kind: 'authError'; message?: string }
  | { kind: 'billingError'; message?: string }
  /** Anything else, verbatim. */
  | { kind: 'raw'; status: number; headers?: Record<string, string>; body: string };

export interface RecordedRequest {
  /** 0-based order of arrival over all endpoints. */
  seq: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: string;
  headers: http.IncomingHttpHeaders;
  /** `Bearer …` value of `authorization`, if any. */
  authorization?: string;
  apiKey?: string;
  /** Parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  receivedAt: number;
  /** Status the mock answered with. */
  status?: number;
  /** Headers the mock answered with. */
  responseHeaders?: Record<string, string>;
}

/** Decides the reply to a `POST /v1/messages`; `index` counts only those requests. */
export type Scenario = (request: RecordedRequest, index: number) => MockReply | undefined;

export interface MockAnthropicApiOptions {
  /** Used when the queue is empty. Defaults to a success reply. */
  scenario?: Scenario;
  /** Text of success replies. */
  replyText?: string;
  /** Delay before streaming a success reply, so a screen can show the spinner. */
  replyDelayMs?: number;
}

const DEFAULT_REPLY = 'Hello from the mock API.';

/** Error bodies close to what the real API sends, per kind. */
export const DEFAULT_ERROR_MESSAGES = {
  usageLimit: 'This request would exceed your account\'s rate limit. Please try again later.',
  throttle: 'Number of requests has exceeded your per-minute rate limit. Please try again later.',
  serverError: 'Internal server error',
  overloaded: 'Overloaded',
  authError: 'invalid x-api-key',
  billingError:
    'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
} as const;

function errorBody(type: string, message: string): string {
  return JSON.stringify({ type: 'error', error: { type, message } });
}

let idCounter = 0;
function newId(prefix: string): string {
  idCounter += 1;
  return `${prefix}_mock${Date.now().toString(36)}${idCounter.toString(36).padStart(4, '0')}`;
}

export class MockAnthropicApi {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: MockReply[] = [];
  private scenario: Scenario | undefined;
  private messagesCount = 0;
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private baseUrl: string | undefined;

  constructor(private readonly options: MockAnthropicApiOptions = {}) {
    this.scenario = options.scenario;
  }

  async start(): Promise<{ url: string; port: number }> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
        }
        res.end(errorBody('api_error', `mock failure: ${String(err)}`));
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return { url: this.baseUrl, port };
  }

  get url(): string {
    if (this.baseUrl === undefined) {
      throw new Error('mock API not started');
    }
    return this.baseUrl;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) {
      return;
    }
    // Keep-alive sockets from the CLI would otherwise hold close() open.
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Replies used, in order, by the next `POST /v1/messages` requests (before the scenario). */
  enqueue(...replies: MockReply[]): void {
    this.queue.push(...replies);
  }

  setScenario(scenario: Scenario | undefined): void {
    this.scenario = scenario;
  }

  /** Recorded `POST /v1/messages` requests (not count_tokens). */
  messageRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages');
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const [path, query = ''] = (req.url ?? '/').split('?', 2) as [string, string?];
    let body: unknown = raw;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        // Not JSON: keep the text.
      }
    }
    const auth = req.headers.authorization;
    const apiKey = req.headers['x-api-key'];
    const record: RecordedRequest = {
      seq: this.requests.length,
      method: req.method ?? 'GET',
      path,
      query,
      headers: req.headers,
      ...(auth !== undefined && { authorization: auth }),
      ...(typeof apiKey === 'string' && { apiKey }),
      body,
      receivedAt: Date.now(),
    };
    this.requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
      record.responseHeaders = Object.fromEntries(
        Object.entries(res.getHeaders()).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]),
      );
    });

    if (record.method === 'POST' && path === '/v1/messages') {
      const index = this.messagesCount++;
      const reply = this.queue.shift() ?? this.scenario?.(record, index) ?? { kind: 'success' };
      await this.reply(record, reply, res);
      return;
    }
    this.answerOther(record, res);
  }

  private async reply(request: RecordedRequest, reply: MockReply, res: http.ServerResponse): Promise<void> {
    const requestId = newId('req');
    const common = { 'request-id': requestId, 'anthropic-organization-id': '00000000-0000-4000-8000-00000000000a' };
    const sendError = (status: number, type: string, message: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...common, ...headers });
      res.end(errorBody(type, message));
    };
    switch (reply.kind) {
      case 'success': {
        if (this.options.replyDelayMs) {
          await new Promise((r) => setTimeout(r, this.options.replyDelayMs));
        }
        this.sendSuccess(request, reply.text ?? this.options.replyText ?? DEFAULT_REPLY, { ...common, ...reply.headers }, res);
        return;
      }
      case 'usageLimit': {
        const headers = {
          ...unifiedHeaders(usageLimitHeaderOptions(reply.claim, reply.resetsAt)),
          ...reply.headers,
        };
        sendError(429, 'rate_limit_error', reply.message ?? DEFAULT_ERROR_MESSAGES.usageLimit, headers);
        return;
      }
      case 'throttle': {
        const seconds = reply.retryAfterSeconds ?? 1;
        sendError(429, 'rate_limit_error', reply.message ?? DEFAULT_ERROR_MESSAGES.throttle, {
          'retry-after': String(seconds),
        });
        return;
      }
      case 'serverError':
        sendError(500, 'api_error', reply.message ?? DEFAULT_ERROR_MESSAGES.serverError);
        return;
      case 'overloaded':
        sendError(529, 'overloaded_error', reply.message ?? DEFAULT_ERROR_MESSAGES.overloaded);
        return;
      case 'authError':
        sendError(401, 'authentication_error', reply.message ?? DEFAULT_ERROR_MESSAGES.authError);
        return;
      case 'billingError':
        sendError(400, 'invalid_request_error', reply.message ?? DEFAULT_ERROR_MESSAGES.billingError);
        return;
      case 'raw':
        res.writeHead(reply.status, { ...common, ...reply.headers });
        res.end(reply.body);
        return;
    }
  }

  private sendSuccess(
    request: RecordedRequest,
    text: string,
    headers: Record<string, string>,
    res: http.ServerResponse,
  ): void {
    const b = (request.body ?? {}) as { model?: string; stream?: boolean };
    const model = typeof b.model === 'string' ? b.model : 'claude-sonnet-4-5';
    const id = newId('msg');
    const usage = { input_tokens: 12, output_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    if (b.stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json', ...headers });
      res.end(
        JSON.stringify({
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: [{ type: 'text', text }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      ...headers,
    });
    const event = (name: string, data: unknown): void => {
      res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    event('message_start', {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    });
    event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    event('ping', { type: 'ping' });
    // Two deltas, as the real API streams text in pieces.
    const half = Math.ceil(text.length / 2);
    for (const piece of [text.slice(0, half), text.slice(half)]) {
      if (piece.length > 0) {
        event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } });
      }
    }
    event('content_block_stop', { type: 'content_block_stop', index: 0 });
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    });
    event('message_stop', { type: 'message_stop' });
    res.end();
  }

  /** Endpoints the CLI touches besides /v1/messages; harmless answers so nothing waits on them. */
  private answerOther(request: RecordedRequest, res: http.ServerResponse): void {
    const json = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const { path } = request;
    if (path === '/v1/messages/count_tokens') {
      json(200, { input_tokens: 12 });
      return;
    }
    if (path === '/api/oauth/profile') {
      json(200, MOCK_PROFILE);
      return;
    }
    if (path === '/api/oauth/claude_cli/roles') {
      json(200, {
        organization_role: 'admin',
        workspace_role: null,
        organization_name: MOCK_PROFILE.organization.name,
      });
      return;
    }
    if (path === '/api/oauth/usage') {
      json(200, {});
      return;
    }
    if (path.startsWith('/api/') || path.startsWith('/v1/')) {
      // Metrics, event logging, feature flags and the like: accept and ignore.
      if (request.method === 'POST') {
        json(200, {});
      } else {
        json(404, { type: 'error', error: { type: 'not_found_error', message: `mock: no ${path}` } });
      }
      return;
    }
    json(404, { type: 'error', error: { type: 'not_found_error', message: `mock: no ${path}` } });
  }
}

/** Header options for a rejected request in the given window. */
export function usageLimitHeaderOptions(claim: UnifiedClaim, resetsAt: number): UnifiedHeadersOptions {
  // The windows that did not trip get plausible whole-hour resets of their own.
  const nextHour = Math.ceil(Date.now() / 1000 / 3600) * 3600;
  const fiveHourReset = claim === 'five_hour' ? resetsAt : nextHour + 3 * 3600;
  const weeklyReset = claim === 'five_hour' || claim === 'overage' ? nextHour + 4 * 86400 : resetsAt;
  const weeklyRejected = claim === 'seven_day';
  return {
    status: 'rejected',
    resetsAt,
    claim,
    fallbackAvailable: false,
    windows: {
      five_hour: {
        utilization: claim === 'five_hour' ? 1 : 0.42,
        resetsAt: fiveHourReset,
        status: claim === 'five_hour' ? 'rejected' : 'allowed',
      },
      seven_day: {
        utilization: weeklyRejected ? 1 : 0.63,
        resetsAt: weeklyReset,
        status: weeklyRejected ? 'rejected' : 'allowed',
      },
    },
    overageStatus: 'rejected',
    overageDisabledReason: claim === 'overage' ? 'out_of_credits' : 'org_level_disabled',
  };
}

/** Success-reply headers that make the CLI warn about an approaching limit. */
export function warningHeaders(window: 'five_hour' | 'seven_day', utilization: number, resetsAt: number): Record<string, string> {
  return unifiedHeaders({
    status: 'allowed_warning',
    resetsAt,
    claim: window,
    fallbackAvailable: false,
    windows: {
      [window]: { utilization, resetsAt, status: 'allowed_warning', surpassedThreshold: Math.floor(utilization * 10) / 10 },
    },
  });
}

/** Identity the mock reports for the OAuth login (obviously fake). */
export const MOCK_PROFILE = {
  account: {
    uuid: '00000000-0000-4000-8000-000000000001',
    email: 'alpha@example.test',
    email_address: 'alpha@example.test',
    full_name: 'Test Alpha',
    display_name: 'Alpha',
    has_claude_max: true,
    has_claude_pro: false,
  },
  organization: {
    uuid: '00000000-0000-4000-8000-00000000000a',
    name: 'Test Org Alpha',
    organization_type: 'claude_max',
    billing_type: 'stripe_subscription',
    rate_limit_tier: 'default_claude_max_20x',
  },
} as const;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Named scenarios, shared by the recorder and the standalone server. */
export type ScenarioName =
  | 'success'
  | 'five_hour'
  | 'seven_day'
  | 'seven_day_opus'
  | 'seven_day_sonnet'
  | 'overage'
  | 'throttle'
  | 'server_error'
  | 'overloaded'
  | 'auth'
  | 'billing'
  | 'warning';

/** Reply for every /v1/messages request of a named scenario. `resetsAt` in unix seconds. */
export function namedScenario(name: ScenarioName, resetsAt: number): Scenario {
  return () => {
    switch (name) {
      case 'success':
        return { kind: 'success' };
      case 'five_hour':
      case 'seven_day':
      case 'seven_day_opus':
      case 'seven_day_sonnet':
      case 'overage':
        return { kind: 'usageLimit', claim: name, resetsAt };
      case 'throttle':
        return { kind: 'throttle', retryAfterSeconds: 1 };
      case 'server_error':
        return { kind: 'serverError' };
      case 'overloaded':
        return { kind: 'overloaded' };
      case 'auth':
        return { kind: 'authError' };
      case 'billing':
        return { kind: 'billingError' };
      case 'warning':
        return { kind: 'success', headers: warningHeaders('five_hour', 0.91, resetsAt) };
    }
  };
}

/**
 * A scenario that answers by the request's credential: `byToken` maps a subscriber's access token
 * (the `Bearer` value) to the scenario for that account; any other credential gets `otherwise`
 * (a success reply by default). With two logins this is "the first account is limited, the second
 * answers normally".
 */
export function scenarioByToken(byToken: Readonly<Record<string, Scenario>>, otherwise?: Scenario): Scenario {
  return (request, index) => {
    const token = request.authorization?.replace(/^Bearer\s+/i, '');
    const chosen = token !== undefined && Object.prototype.hasOwnProperty.call(byToken, token) ? byToken[token] : otherwise;
    return chosen?.(request, index) ?? { kind: 'success' };
  };
}

/** The text of the last user message of a Messages request (what was typed into Claude Code). */
export function lastUserText(r: RecordedRequest): string | undefined {
  const body = r.body as { messages?: Array<{ role?: string; content?: string | Array<{ type?: string; text?: string }> }> } | undefined;
  const user = body?.messages?.filter((m) => m.role === 'user').at(-1);
  if (user === undefined) return undefined;
  if (typeof user.content === 'string') return user.content.trim();
  return user.content
    ?.filter((c) => c.type === 'text' && typeof c.text === 'string')
    .at(-1)
    ?.text?.trim();
}
