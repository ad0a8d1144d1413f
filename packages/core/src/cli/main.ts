#!/usr/bin/env node
/**
 * The `app-core` command: migrations, superusers and seeding against the database the
 * environment names. See `app-core --help`.
 */
import { runCli } from './run-cli';

runCli(process.argv.slice(2)).then(
  (code) => {
    // exitCode rather than exit(): lets stdout drain when it is a pipe.
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`app-core: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
