/**
 * The AWS credentials of a function running in Lambda: its execution role's, which Lambda puts in the
 * environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), the first link of the
 * SDK's default chain. The Lambda bundles use this module in place of that chain
 * (`@aws-sdk/credential-provider-node`, aliased in infra/lambda-bundling.ts): its other links (SSO,
 * shared files, web identity, instance metadata) are never reached in Lambda, and they brought ~115 KB
 * (the STS and SSO clients among them) into every bundle. Run outside Lambda (tests, the local stack,
 * the CLI), the code uses the SDK's own chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** The signature the SDK's clients call (`credentialDefaultProvider` in each client's runtime configuration). */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
