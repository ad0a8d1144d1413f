/**
 * Takes the first chunk inside the pipeline, so a stream that fails at once (database down)
 * still becomes an error envelope instead of a 200 cut short. The rest is pulled by the
 * adapter as it writes; an early stop (client gone) closes the source.
 */
export async function primeStream(chunks: AsyncIterable<string | Buffer>): Promise<AsyncIterable<string | Buffer>> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  return {
    async *[Symbol.asyncIterator]() {
      let done = first.done ?? false;
      try {
        if (!done) yield first.value;
        while (!done) {
          const next = await iterator.next();
          done = next.done ?? false;
          if (!done) yield next.value;
        }
      } finally {
        if (!done) await iterator.return?.();
      }
    },
  };
}
