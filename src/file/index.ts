/** The file backend (`tars-ws/file`): a room store in a folder, shared by the processes of one machine. */
export { FileRoomStore, type FileRoomStoreOptions } from './room-store-file.js';
