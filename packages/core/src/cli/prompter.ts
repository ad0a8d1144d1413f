import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** Asks questions on a terminal or reads answers line by line from a pipe. */
export interface Prompter {
  /** The answer, or undefined when the input ended first. */
  ask(question: string, options?: { hidden?: boolean }): Promise<string | undefined>;
  close(): void;
}

/**
 * A {@link Prompter} on node:readline. Questions go to `output` (stderr, so stdout stays the
 * command's result). Hidden answers are not echoed: readline's echo goes to a stream that is
 * muted while a hidden question is open. Answers from a pipe are read in order, one a line.
 */
export function createPrompter(
  input: NodeJS.ReadableStream & { isTTY?: boolean },
  output: NodeJS.WritableStream,
): Prompter {
  let muted = false;
  const echo = new Writable({
    write(chunk, _encoding, callback) {
      if (!muted) output.write(chunk);
      callback();
    },
  });
  const terminal = input.isTTY === true;
  const rl = createInterface({ input, output: echo, terminal });
  // The iterator buffers lines that arrive before they are asked for (a whole piped answer file).
  const lines = rl[Symbol.asyncIterator]();
  return {
    async ask(question, options = {}) {
      output.write(question);
      muted = options.hidden === true && terminal;
      try {
        const next = await lines.next();
        return next.done ? undefined : String(next.value);
      } finally {
        // Neither a hidden answer nor a piped one was echoed, so end the prompt's line here.
        if (muted || !terminal) output.write('\n');
        muted = false;
      }
    },
    close() {
      rl.close();
    },
  };
}
