// Request size limits, shared with clients (the CLI checks a file's size before sending it).

/** A job submission is a few hundred bytes; anything near this is not one. */
export const submitBodyBytesMax = 64 * 1024
/** The largest object one PUT may carry (the body is held in memory while it is encoded into shards). */
export const objectBodyBytesMax = 256 * 1024 * 1024
