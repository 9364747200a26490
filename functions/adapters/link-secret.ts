import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { once, requiredEnv } from './runtime.js';

/**
 * The secret one-click links are signed with (SPEC.md, Email): in AWS a Secrets Manager secret the
 * stack generates; locally a file under `.retention/`, which git ignores, made on first use.
 */

export const secretFromSecretsManager = async (client: SecretsManagerClient, secretId: string): Promise<string> => {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!SecretString) throw new Error(`secret ${secretId} has no string value`);
  return SecretString;
};

/** The secret in a local secret file; an empty one is refused, as it would sign every link with no secret at all. */
const readLocalSecret = (path: string): string => {
  const secret = readFileSync(path, 'utf8').trim();
  if (!secret) throw new Error(`the link secret file ${path} is empty: put a secret in it, or delete it and one is made on next use`);
  return secret;
};

export const localLinkSecret = (path: string): string => {
  try {
    return readLocalSecret(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(path), { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    // Written in full under a private name, then linked into place: a link never replaces a file, so when
    // two processes race to make it, one wins and the other reads the winner's, never a half-written file.
    const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(draft, secret, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(draft, path);
      return secret;
    } catch (raced) {
      if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw raced;
      return readLocalSecret(path);
    } finally {
      rmSync(draft, { force: true });
    }
  }
};

/** The link-signing secret of a deployed function, read once from Secrets Manager. */
export const linkSecretFromEnv = once(() => secretFromSecretsManager(new SecretsManagerClient({}), requiredEnv('LINK_SECRET_ARN')));
