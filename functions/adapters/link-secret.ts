import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

export const localLinkSecret = (path: string): string => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(path), { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    // `wx`: when two processes race to make it, one wins and the other reads the winner's.
    try {
      writeFileSync(path, secret, { mode: 0o600, flag: 'wx' });
      return secret;
    } catch (raced) {
      if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw raced;
      return readFileSync(path, 'utf8').trim();
    }
  }
};

/** The link-signing secret of a deployed function, read once from Secrets Manager. */
export const linkSecretFromEnv = once(() => secretFromSecretsManager(new SecretsManagerClient({}), requiredEnv('LINK_SECRET_ARN')));
