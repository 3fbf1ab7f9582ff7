/** The one place that turns results and errors into HTTP responses. */
import type { ServerResponse } from 'node:http';
import { ErrorCode, GatewayError } from '../errors.js';
import type { Logger } from '../logger.js';

export function sendText(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = status;
  if (!res.hasHeader('content-type')) res.setHeader('content-type', contentType);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}

/** Maps any thrown value to a JSON error response; unexpected errors are logged and hidden from the caller. */
export function sendError(res: ServerResponse, err: unknown, log: Logger, route: string): void {
  const gwErr =
    err instanceof GatewayError
      ? err
      : new GatewayError(ErrorCode.Internal, 'internal server error', { cause: err });
  if (gwErr.code === ErrorCode.Internal) log.error({ err, route }, 'http handler failed');
  else
    log.debug(
      { route, code: gwErr.code, status: gwErr.status, reason: gwErr.message },
      'http request rejected',
    );
  res.removeHeader('content-type');
  sendJson(res, gwErr.status, gwErr.toJSON());
}
