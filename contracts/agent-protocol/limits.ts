/** Sizes and defaults both sides of the control channel hold to. */

/** Largest control-channel frame either side accepts. */
export const CONTROL_MAX_PAYLOAD = 256 * 1024;
/** Longest `data` string in one command_output message. */
export const COMMAND_OUTPUT_CHUNK_CHARS = 16 * 1024;
export const DEFAULT_HEARTBEAT_SEC = 25;
export const DEFAULT_COMMAND_TIMEOUT_SEC = 300;
export const DEFAULT_COMMAND_MAX_OUTPUT_BYTES = 1024 * 1024;
/** 1.3: the most monitors a screen `channel_opened` lists (and the highest `monitor` index + 1). */
export const SCREEN_MONITORS_MAX = 16;
