import { parseArgs } from 'node:util';
import { UsageError, withCore, type CliContext } from './cli-context';
import { createPrompter } from './prompter';

/** Usage of `create-superuser`. */
export const CREATE_SUPERUSER_USAGE = `app-core create-superuser [--email E] [--username U] [--password P]
                                  create a superuser, or promote the user with that email or
                                  username; asks for what is missing (the password unechoed)`;

interface Credentials {
  email: string;
  username: string;
  password: string;
}

/** Fills in what the flags left out by asking; a terminal confirms the password. */
async function complete(given: Partial<Credentials>, context: CliContext): Promise<Credentials> {
  if (given.email !== undefined && given.username !== undefined && given.password !== undefined) {
    return given as Credentials;
  }
  const prompter = createPrompter(context.stdin, context.stderr);
  try {
    const ask = async (flag: keyof Credentials, question: string, hidden = false) => {
      const answer = given[flag] ?? (await prompter.ask(question, { hidden }));
      if (answer === undefined || answer === '') throw new UsageError(`--${flag} is required`);
      return hidden ? answer : answer.trim();
    };
    const email = await ask('email', 'Email: ');
    const username = await ask('username', 'Username: ');
    const password = await ask('password', 'Password: ', true);
    if (given.password === undefined && context.stdin.isTTY) {
      const again = await prompter.ask('Password (again): ', { hidden: true });
      if (again !== password) throw new UsageError('the passwords do not match');
    }
    return { email, username, password };
  } finally {
    prompter.close();
  }
}

/**
 * `create-superuser`: makes sure an active superuser with these credentials exists. An
 * existing user with that email or username is promoted (and reactivated), never given a
 * new password; the command says which of the three things happened.
 */
export async function createSuperuserCommand(args: string[], context: CliContext): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' } },
  });
  const credentials = await complete(values, context);
  await withCore(context, async (core) => {
    const { user, created, promoted } = await core.services.users.ensureSuperuser(credentials);
    const who = `${user.username} <${user.email}> (id ${user.id})`;
    const line = created
      ? `Created superuser ${who}`
      : promoted
        ? `Promoted existing user ${who} to active superuser; their password was not changed`
        : `User ${who} is already an active superuser; nothing changed`;
    context.stdout.write(`${line}\n`);
  });
}
