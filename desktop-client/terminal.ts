import { createInterface } from "node:readline";
import { createInterface as createPromptInterface } from "node:readline/promises";

/** A failure of the client itself (not a refusal by the companion), with the exit code to use. */
export class DeskError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "DeskError";
  }
}

export const say = (text: string) => process.stdout.write(`${text}\n`);

/** Answers from a pipe (scripts, tests): one line per question, read in order. */
let pipedLines: AsyncIterator<string> | undefined;

async function readPipedLine(question: string): Promise<string> {
  process.stdout.write(question);
  pipedLines ??= createInterface({ input: process.stdin, terminal: false })[Symbol.asyncIterator]();
  const next = await pipedLines.next();
  process.stdout.write("\n");
  if (next.done) throw new DeskError("无法读取输入：标准输入已结束");
  return next.value;
}

/** Asks a question and returns the answer, trimmed. */
export async function ask(question: string): Promise<string> {
  if (!process.stdin.isTTY) return (await readPipedLine(question)).trim();
  const lines = createPromptInterface({ input: process.stdin, output: process.stdout });
  lines.on("SIGINT", () => {
    process.stdout.write("\n");
    process.exit(130);
  });
  try {
    return (await lines.question(question)).trim();
  } finally {
    lines.close();
  }
}

/** Asks for a password without echoing it (on a terminal); Ctrl-C gives up. */
export async function askSecret(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return readPipedLine(question);
  process.stdout.write(question);
  input.setRawMode(true);
  input.setEncoding("utf8");
  input.resume();
  return new Promise((resolve) => {
    let answer = "";
    const finish = () => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      process.stdout.write("\n");
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n") {
          finish();
          return resolve(answer);
        }
        if (char === "\u0003") {
          finish();
          process.exit(130);
        }
        if (char === "\u007f" || char === "\b") answer = [...answer].slice(0, -1).join("");
        else if (char >= " ") answer += char;
      }
    };
    input.on("data", onData);
  });
}

/** Columns a string takes in a terminal: CJK and full-width characters take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const wide =
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6) ||
      (code >= 0x20000 && code <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

export const padEnd = (text: string, width: number) => text + " ".repeat(Math.max(0, width - displayWidth(text)));
