/**
 * Tars endpoint and object address strings: `tcp -h HOST -p PORT -t MS`, several joined by `:`, and
 * `App.Server.Obj@<endpoints>` for a servant reached directly (without `@`, through the registry).
 */

/** One network endpoint of a Tars servant. */
export interface Endpoint {
  /** Transport as written (`tcp`, `udp`, `ssl`); the RPC client and server only speak `tcp`. */
  readonly protocol: 'tcp' | 'udp' | 'ssl';
  readonly host: string;
  readonly port: number;
  /** The `-t` value in ms (an idle timeout for servers, informational for clients); 0 when absent. */
  readonly timeout: number;
}

/** A servant name and, when given after `@`, its direct endpoints. */
export interface ObjectAddress {
  /** `App.Server.Obj`. */
  readonly name: string;
  /** Direct endpoints; empty means "ask the registry". */
  readonly endpoints: readonly Endpoint[];
}

/** Thrown for a malformed endpoint or object address string; the message quotes the input. */
export class EndpointParseError extends Error {
  constructor(input: string, why: string) {
    super(`bad Tars endpoint "${input}": ${why}`);
    this.name = 'EndpointParseError';
  }
}

const PROTOCOLS = new Set(['tcp', 'udp', 'ssl']);

/** Parses one endpoint, e.g. `tcp -h 127.0.0.1 -p 18600 -t 3000`. Unknown flags (`-a`, `-g`, ...) are ignored. */
export function parseEndpoint(input: string): Endpoint {
  const words = input.trim().split(/\s+/);
  const protocol = words[0]?.toLowerCase() ?? '';
  if (!PROTOCOLS.has(protocol)) throw new EndpointParseError(input, 'must start with tcp, udp or ssl');
  let host: string | undefined;
  let port: number | undefined;
  let timeout = 0;
  for (let i = 1; i < words.length; i++) {
    const flag = words[i];
    if (flag === undefined || !flag.startsWith('-'))
      throw new EndpointParseError(input, `unexpected "${flag}"`);
    const value = words[i + 1];
    // Flags without a value exist in the wild (e.g. `-a` authentication); only h/p/t must carry one.
    if (value === undefined || value.startsWith('-')) {
      if (flag === '-h' || flag === '-p' || flag === '-t')
        throw new EndpointParseError(input, `${flag} needs a value`);
      continue;
    }
    i++;
    if (flag === '-h') host = value;
    else if (flag === '-p') port = toInt(input, 'port', value, 0, 65535);
    else if (flag === '-t') timeout = toInt(input, 'timeout', value, 0, 2 ** 31 - 1);
  }
  if (host === undefined || host === '') throw new EndpointParseError(input, 'missing -h HOST');
  if (port === undefined) throw new EndpointParseError(input, 'missing -p PORT');
  return { protocol: protocol as Endpoint['protocol'], host, port, timeout };
}

/** Parses endpoints joined by `:` (the Tars list syntax). */
export function parseEndpoints(input: string): Endpoint[] {
  const parts = input
    .split(':')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) throw new EndpointParseError(input, 'no endpoint');
  return parts.map(parseEndpoint);
}

/**
 * Parses `App.Server.Obj@tcp -h H -p P[:tcp -h H2 -p P2]` or `App.Server.Obj` alone.
 *
 * @example parseObjectAddress('TestApp.HelloServer.HelloObj@tcp -h 127.0.0.1 -p 18600 -t 3000')
 */
export function parseObjectAddress(input: string): ObjectAddress {
  const at = input.indexOf('@');
  const name = (at < 0 ? input : input.slice(0, at)).trim();
  if (name === '' || /\s/.test(name))
    throw new EndpointParseError(input, 'missing or malformed servant name');
  if (at < 0) return { name, endpoints: [] };
  return { name, endpoints: parseEndpoints(input.slice(at + 1)) };
}

/** Formats an endpoint back to its string form (`tcp -h H -p P -t T`); also used as its identity key. */
export function formatEndpoint(e: Endpoint): string {
  return `${e.protocol} -h ${e.host} -p ${e.port}${e.timeout > 0 ? ` -t ${e.timeout}` : ''}`;
}

/** The identity of an endpoint for pooling: protocol, host and port (the timeout does not matter). */
export function endpointKey(e: Endpoint): string {
  return `${e.protocol}:${e.host}:${e.port}`;
}

function toInt(input: string, what: string, s: string, min: number, max: number): number {
  if (!/^\d+$/.test(s)) throw new EndpointParseError(input, `${what} "${s}" is not a number`);
  const n = Number(s);
  if (n < min || n > max) throw new EndpointParseError(input, `${what} ${n} out of range ${min}..${max}`);
  return n;
}
