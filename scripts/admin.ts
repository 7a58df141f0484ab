// `npm run admin -- <command>`: what an operator does without the API, against the stores the server uses
// (DATABASE_URL / REDIS_URL, or the embedded ones in DATA_DIR while no server holds it). Settings come from the
// environment exactly as for `npm start`. One line on stderr and exit 1 for any failure; usage mistakes exit 2.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config';
import { ensureSuperAdmin } from '../src/core/admin/bootstrap';
import { createSuperAdmin, operatorEmail, promoteToSuperAdmin, revokeSessionsOf, unlockUser } from '../src/core/admin/operator';
import { AppError } from '../src/core/errors';
import { describeError } from '../src/core/logger';
import type { RequestContext } from '../src/core/deps';
import { CliError } from './admin/cli-error';
import { readNewPassword } from './admin/password';
import { printRotation, rotateStoredKey } from './admin/rotate-key';
import { openStores, type CliStores } from './admin/stores';

const USAGE = `usage: npm run admin -- <command>
  create-admin --email E   a new verified SUPER_ADMIN; the password is asked for (or read from stdin's first line)
  promote E                make an existing user a SUPER_ADMIN
  unlock E                 clear a lock and the failed-login count
  revoke-sessions E        end every session of the user now (its access tokens too)
  rotate-signing-key       JWT_PRIVATE_KEY set: print a new key and the public key to keep; else rotate the stored key
  bootstrap                apply ADMIN_EMAIL / ADMIN_PASSWORD now (e.g. against Neon before the first request)`;

const print = (text: string): void => void process.stdout.write(`${text}\n`);

const context = (): RequestContext => ({
  ipAddress: null,
  userAgent: 'authgate-cli',
  requestId: `cli-${crypto.randomUUID()}`,
  defer: (task) => void task(),
});

/** The one e-mail a command takes, checked before any store is opened (PGlite takes seconds to open). */
function oneEmail(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new CliError(`${command} takes one e-mail address`, true);
  return operatorEmail(positionals[0]!);
}

/** A command checks its arguments (and asks for a password) first, then runs against the opened stores. */
type Command = (args: { positionals: string[]; email: string | undefined }) => Promise<(stores: CliStores) => Promise<void>>;

const commands: Record<string, Command> = {
  async 'create-admin'({ email, positionals }) {
    if (!email || positionals.length > 0) throw new CliError('create-admin needs --email E and nothing else (never a password)', true);
    const address = operatorEmail(email);
    const password = await readNewPassword();
    return async ({ deps }) => {
      const user = await createSuperAdmin(deps, deps.auth, { email: address, password }, context());
      print(`created SUPER_ADMIN ${user.email} (id ${user.id})`);
    };
  },
  async promote({ positionals }) {
    const email = oneEmail(positionals, 'promote');
    return async ({ deps }) => {
      const outcome = await promoteToSuperAdmin(deps, email, context());
      print(outcome === 'promoted' ? `${email} is a SUPER_ADMIN now` : `${email} was a SUPER_ADMIN already`);
    };
  },
  async unlock({ positionals }) {
    const email = oneEmail(positionals, 'unlock');
    return async ({ deps }) => {
      await unlockUser(deps, email, context());
      print(`unlocked ${email}`);
    };
  },
  async 'revoke-sessions'({ positionals }) {
    const email = oneEmail(positionals, 'revoke-sessions');
    return async ({ deps }) => {
      print(`ended ${await revokeSessionsOf(deps, email, context())} session(s) of ${email}`);
    };
  },
  async 'rotate-signing-key'() {
    return (stores) => rotateStoredKey(stores, print);
  },
  async bootstrap() {
    return async ({ deps }) => {
      const admin = deps.config.admin;
      if (!admin) throw new CliError('ADMIN_EMAIL and ADMIN_PASSWORD are not set');
      print(`ADMIN_EMAIL ${admin.email}: ${await ensureSuperAdmin(deps, deps.auth, admin)}`);
    };
  },
};

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { email: { type: 'string' } } });
  const [name, ...rest] = positionals;
  const command = name === undefined ? undefined : commands[name];
  if (!command) throw new CliError(name === undefined ? 'no command given' : `unknown command ${name}`, true);
  const config = loadConfig(process.env, 'node');
  const run = await command({ positionals: rest, email: values.email });
  // A configured key is the operator's to replace: nothing in the stores changes, so none is opened.
  if (name === 'rotate-signing-key' && config.jwt.privateKey) return printRotation(config, print);
  const stores = await openStores(config);
  try {
    await run(stores);
  } finally {
    await stores.close();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    const usage = error instanceof CliError && error.usage;
    const known = error instanceof CliError || error instanceof AppError || error instanceof ConfigError;
    // parseArgs' own errors (an unknown option such as --password) are usage mistakes too.
    const parse = (error as { code?: unknown })?.code?.toString().startsWith('ERR_PARSE_ARGS') === true;
    // An unexpected error is summarised without the query parameters a database error may list.
    const message = known || parse ? (error as Error).message : `failed: ${describeError(error)}`;
    process.stderr.write(`authgate admin: ${message}\n`);
    if (usage || parse) process.stderr.write(`${USAGE}\n`);
    process.exit(usage || parse ? 2 : 1);
  },
);
