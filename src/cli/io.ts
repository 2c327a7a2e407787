// What a CLI command may touch: its arguments, its streams and its environment.
// Commands take this instead of `process` so tests can run them in-process.

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads all of standard input (for `--diff -`). */
  readStdin: () => Promise<string>;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** A subcommand: returns the process exit code. */
export type Command = (args: string[], io: CliIO) => Promise<number>;

export function processIO(): CliIO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    env: process.env,
    cwd: process.cwd(),
  };
}
