/**
 * Chrome's native messaging framing on the host's stdin and stdout: each message is its UTF-8 JSON
 * preceded by its length in 4 bytes, little-endian (native byte order on every platform Chrome runs on).
 */

/** Chrome refuses a message from the host over 1 MB. */
const MAX_FROM_HOST = 1024 * 1024;
/** Ours are a few bytes: a longer one is not from our extension. */
const MAX_TO_HOST = 64 * 1024;

export function encodeMessage(value: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(value), "utf8");
  if (json.length > MAX_FROM_HOST) throw new Error(`native message too long (${json.length} bytes)`);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return Buffer.concat([length, json]);
}

/** Collects stdin's chunks and hands out each whole message once it has arrived. */
export function messageReader(): { push(chunk: Buffer): unknown[] } {
  let pending = Buffer.alloc(0);
  return {
    push(chunk) {
      pending = Buffer.concat([pending, chunk]);
      const messages: unknown[] = [];
      while (pending.length >= 4) {
        const length = pending.readUInt32LE(0);
        if (length > MAX_TO_HOST) throw new Error(`native message too long (${length} bytes)`);
        if (pending.length < 4 + length) break;
        messages.push(JSON.parse(pending.subarray(4, 4 + length).toString("utf8")));
        pending = pending.subarray(4 + length);
      }
      return messages;
    },
  };
}
