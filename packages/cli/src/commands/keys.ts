import type { Role } from '@cairn/server';
import { type Command, InvalidArgumentError } from 'commander';
import { type CliContext, type CommonOptions, commandSetup, withCommonOptions } from '../lib/context.js';
import { withStore } from '../lib/store.js';

interface CreateOptions extends CommonOptions {
  name: string;
  role: Role;
  prefix?: string;
}

// Kept here (not imported) so parsing options does not load the server package.
const ROLES: readonly Role[] = ['read', 'write', 'admin'];

function role(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value)) throw new InvalidArgumentError(`Expected ${ROLES.join(', ')} (admin includes write, write includes read).`);
  return value as Role;
}

/** The key functions live in @cairn/server (Fastify and all), loaded only by the commands that need them. */
const server = (): Promise<typeof import('@cairn/server')> => import('@cairn/server');

export function registerKeys(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description('manage API keys for `cairn serve` (stored hashed in the $keys stream)');

  withCommonOptions(keys.command('create'))
    .description('create a key and print it once (only its SHA-256 is stored)')
    .requiredOption('--name <name>', 'what the key is for, e.g. ledger-service')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, role)
    .option('--prefix <prefix>', 'limit the key to streams whose id starts with this')
    .action(async (options: CreateOptions) => {
      const { url, out } = commandSetup(ctx, options);
      const { createApiKey } = await server();
      const created = await withStore(url, 'write', (store) =>
        createApiKey(store, { name: options.name, roles: [options.role], ...(options.prefix !== undefined ? { streamPrefix: options.prefix } : {}) }),
      );
      if (out.json) {
        await out.record({ key: created.key, ...created.info });
        return;
      }
      // The key alone on stdout (KEY=$(cairn keys create …) works); the rest is for people.
      await out.line(created.key);
      out.note(
        `created ${created.info.keyId} "${created.info.name}" with role ${options.role}` +
          (options.prefix !== undefined ? ` for streams starting with ${JSON.stringify(options.prefix)}` : '') +
          '. Store the key now: it cannot be shown again. Running servers accept it within a second.',
      );
    });

  withCommonOptions(keys.command('list'))
    .description('list keys (never the keys themselves), revoked ones included')
    .action(async (options: CommonOptions) => {
      const { url, out } = commandSetup(ctx, options);
      const { listApiKeys } = await server();
      const all = await withStore(url, 'read', (store) => listApiKeys(store));
      for (const key of all) {
        if (out.json) await out.record(key);
        else {
          await out.line(
            [key.keyId, key.name, key.roles.join(','), key.streamPrefix ?? '*', key.createdAt, key.revokedAt ? `revoked ${key.revokedAt}` : 'active'].join('\t'),
          );
        }
      }
      if (!out.json && all.length === 0) out.note('no keys yet: create one with `cairn keys create --name <name> --role <role>`');
    });

  withCommonOptions(keys.command('revoke'))
    .description('revoke a key; running servers refuse it within a second')
    .argument('<keyId>', 'the id shown by `keys list`, e.g. key_1a2b3c4d5e6f')
    .action(async (keyId: string, options: CommonOptions) => {
      const { url, out } = commandSetup(ctx, options);
      const { revokeApiKey } = await server();
      const { info, alreadyRevoked } = await withStore(url, 'write', (store) => revokeApiKey(store, keyId));
      if (out.json) await out.record({ ...info, alreadyRevoked });
      else await out.line(alreadyRevoked ? `${keyId} was already revoked (${info.revokedAt})` : `revoked ${keyId} "${info.name}"`);
    });
}
