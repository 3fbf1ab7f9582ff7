/**
 * Wire constants of Tars RPC packets (RequestF.tars and TarsCpp's Tars.h): protocol versions, packet types,
 * message-type bit flags, result codes and the reserved status keys.
 */

/** `iVersion`: how `sBuffer` holds the arguments. */
export const TarsVersion = {
  /** Positional: argument i at tag i in one buffer. */
  Tars: 1,
  /** TUP complex: map<name, map<typeName, bytes>> (UniAttribute with type names). */
  TupComplex: 2,
  /** TUP simple: map<name, bytes>, each value at tag 0. */
  TupSimple: 3,
  /** JSON arguments. Not implemented here. */
  Json: 5,
} as const;

/** `cPacketType`. */
export const PacketType = {
  Normal: 0,
  /** One-way: the server sends no reply. */
  Oneway: 1,
} as const;

/** `iMessageType` bit flags; combine with `|`. */
export const MessageType = {
  Null: 0x00,
  Hash: 0x01,
  Grid: 0x02,
  /** Dyed (traced) request; the key travels in status STATUS_DYED_KEY. */
  Dyed: 0x04,
  Sample: 0x08,
  Async: 0x10,
  /** Call routed by set name; the name travels in status STATUS_SETNAME_VALUE. */
  SetName: 0x80,
  Track: 0x100,
} as const;

/** `iRet` codes of a ResponsePacket (and STATUS_RESULT_CODE of a TUP reply). */
export const TarsRet = {
  Success: 0,
  ServerDecodeError: -1,
  ServerEncodeError: -2,
  NoSuchFunction: -3,
  NoSuchServant: -4,
  ResetGrid: -5,
  QueueTimeout: -6,
  InvokeTimeout: -7,
  ProxyConnectError: -8,
  Overload: -9,
  AdapterNull: -10,
  InvokeByInvalidSet: -11,
  ClientDecodeError: -12,
  SendRequestError: -13,
  Unknown: -99,
} as const;

/** Reserved keys of the `status` map. */
export const StatusKey = {
  ResultCode: 'STATUS_RESULT_CODE',
  ResultDesc: 'STATUS_RESULT_DESC',
  DyedKey: 'STATUS_DYED_KEY',
  SetNameValue: 'STATUS_SETNAME_VALUE',
} as const;
