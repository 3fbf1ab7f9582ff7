/** Tars RPC packets: RequestPacket/ResponsePacket, TCP framing, and argument encodings per version. */
export {
  createRequestPacket,
  decodeRequestPacket,
  encodeRequestPacket,
  readRequestPacket,
  writeRequestPacket,
  type RequestPacket,
} from './request-packet.js';
export {
  createResponsePacket,
  decodeResponsePacket,
  encodeResponsePacket,
  readResponsePacket,
  writeResponsePacket,
  type ResponsePacket,
} from './response-packet.js';
export { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, type FrameDecoderOptions } from './frame-decoder.js';
export { TarsArgReader, TarsArgWriter } from './args-tars.js';
export { TupArgReader, TupArgWriter, type TupVersion } from './args-tup.js';
export { createArgReader, createArgWriter, type ArgEncoder } from './args.js';
export { MessageType, PacketType, StatusKey, TarsRet, TarsVersion } from './constants.js';
