/** Reads a request body with a size limit and parses JSON and form bodies into string parameters. */
import type { IncomingMessage } from 'node:http';
import { ErrorCode, GatewayError } from '../errors.js';

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > limit) throw tooLarge(limit);
      chunks.push(buf);
    }
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    // The client reset or closed the connection mid-body (or the request timeout cut it): a rejected input.
    throw new GatewayError(ErrorCode.BadPayload, 'request body was not received completely', { cause: err });
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError(ErrorCode.PayloadTooLarge, `request body is larger than ${limit} bytes`);
}

/**
 * Body parameters by content type: JSON objects (scalar values turned into text) and urlencoded forms.
 * Other content types yield no parameters.
 */
export function parseBodyParams(contentType: string | undefined, body: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  if (body.length === 0) return out;
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || type.endsWith('+json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new GatewayError(ErrorCode.BadPayload, 'request body is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new GatewayError(ErrorCode.BadPayload, 'request body must be a JSON object');
    }
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v === 'string') out.set(k, v);
      else if (typeof v === 'number' || typeof v === 'boolean') out.set(k, String(v));
    }
  } else if (type === 'application/x-www-form-urlencoded') {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) out.set(k, v);
  }
  return out;
}
