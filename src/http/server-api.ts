/**
 * The server API on HTTP, compatible with Centrifugo's: `POST /api/<method>` with the method's JSON object, answered
 * `{"result": ...}` or `{"error": {"code", "message"}}` with status 200 (batch: `{"replies": [...]}`), and the old
 * single route `POST /api` with `{"method", "params"}` lines. HTTP errors as Centrifugo's: 404 for an unknown method,
 * 405 for another verb, 401 for a missing or wrong key (403 for a refused caller when no key is set), 400 for a body
 * that is not a JSON object, 413 past `maxHttpBodyBytes`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, GatewayError } from '../errors.js';
import { checkApiKey } from '../gateway/access.js';
import type { GatewayApi } from '../gateway/api.js';
import { PushCallers } from '../gateway/push.js';
import { readBody } from './body.js';
import { sendJson, sendText } from './respond.js';
import type { HttpRouter } from './router.js';
import { isApiMethod, runBatch, runMethod, type ApiContext } from './server-api-methods.js';

/** The path prefix of the server API. */
export const SERVER_API_PATH = '/api';

/** Method names of the old `/api` route, by the number Centrifugo's `Command.MethodType` gives them. */
const LEGACY_METHODS = [
  'publish',
  'broadcast',
  'unsubscribe',
  'disconnect',
  'presence',
  'presence_stats',
  'history',
  'history_remove',
  'channels',
  'info',
  'rpc',
  'subscribe',
  'refresh',
];

/** Routes `/api` and `/api/<method>` of `router` to the server API. */
export function mountServerApi(router: HttpRouter): void {
  router.mount(SERVER_API_PATH, serveApi);
}

async function serveApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  gateway: GatewayApi,
): Promise<void> {
  const rest = url.pathname.slice(SERVER_API_PATH.length).replace(/^\/|\/$/g, '');
  if (rest !== '' && !isApiMethod(rest))
    throw new GatewayError(ErrorCode.NotFound, `no server API method ${rest}`);
  if (req.method !== 'POST')
    throw new GatewayError(ErrorCode.MethodNotAllowed, 'the server API takes POST requests');
  // Who asks comes first: an unauthorised caller learns nothing from the body's parsing.
  checkApiKey(req, gateway.config.apiKey);
  const body = (await readBody(req, gateway.config.maxHttpBodyBytes)).toString('utf8');
  const ctx: ApiContext = { gateway, caller: PushCallers.api(req) };
  if (rest === '') {
    sendText(res, 200, await legacy(ctx, body), 'application/json');
    return;
  }
  const params = parseObject(body);
  sendJson(res, 200, rest === 'batch' ? await batch(ctx, params) : await runMethod(ctx, rest, params));
}

async function batch(ctx: ApiContext, params: Record<string, unknown>): Promise<object> {
  try {
    return await runBatch(ctx, params);
  } catch {
    // Only a batch without a commands array throws: Centrifugo fails to decode it.
    throw new GatewayError(ErrorCode.BadPayload, 'batch needs a commands array');
  }
}

/** The old single route: one `{"method", "params"}` object per line, one `{"result"}`/`{"error"}` line each. */
async function legacy(ctx: ApiContext, body: string): Promise<string> {
  const lines = body.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new GatewayError(ErrorCode.BadPayload, 'request body is empty');
  const commands = lines.map(parseObject);
  const replies: string[] = [];
  for (const cmd of commands) {
    const m = cmd['method'];
    const name = typeof m === 'number' ? (LEGACY_METHODS[m] ?? '') : String(m ?? '').toLowerCase();
    const params = cmd['params'];
    const p = typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : {};
    const r = await runMethod(ctx, name, p);
    replies.push(JSON.stringify(r));
  }
  return replies.join('\n');
}

function parseObject(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new GatewayError(ErrorCode.BadPayload, 'request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new GatewayError(ErrorCode.BadPayload, 'request body must be a JSON object');
  return parsed as Record<string, unknown>;
}
