import { describe, expect, it } from "vitest";
import { encodeMessage, messageReader } from "../../companion/service/native-messaging.js";

describe("native messaging framing", () => {
  it("is the UTF-8 JSON after its byte length, 4 bytes little-endian", () => {
    const frame = encodeMessage({ url: "启动" });
    const json = Buffer.from('{"url":"启动"}', "utf8");
    expect(frame.subarray(0, 4)).toEqual(Buffer.from([json.length, 0, 0, 0]));
    expect(frame.subarray(4)).toEqual(json);
  });

  it("reads messages split across chunks and several in one chunk", () => {
    const reader = messageReader();
    const both = Buffer.concat([encodeMessage({ type: "start" }), encodeMessage({ n: 2 })]);
    expect(reader.push(both.subarray(0, 2))).toEqual([]);
    expect(reader.push(both.subarray(2, 9))).toEqual([]);
    expect(reader.push(both.subarray(9))).toEqual([{ type: "start" }, { n: 2 }]);
  });

  it("refuses a length no message of ours has", () => {
    const reader = messageReader();
    expect(() => reader.push(Buffer.from([0, 0, 0, 1]))).toThrow(/too long/);
  });
});
