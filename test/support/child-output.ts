import type { ChildProcess } from "node:child_process";

/** Everything a child process prints from now on, stdout and stderr together, as it comes. */
export function printedBy(child: ChildProcess): () => string {
  let output = "";
  const keep = (chunk: Buffer | string) => {
    output += chunk;
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => output;
}
