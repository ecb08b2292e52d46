import { type EnvName, loadEnv } from './env';

/** The variables that hold secrets. Deployed, each comes as `<NAME>_SECRET_ARN` and is read at cold start. */
export const SECRET_ENV = [
  'WEBHOOK_TOKEN',
  'ADMIN_API_KEY',
  'LINK_SIGNING_SECRET',
  'CHANNEL_SEALING_SECRET',
] as const satisfies readonly EnvName[];
export const secretArnVariable = (name: (typeof SECRET_ENV)[number]) => `${name}_SECRET_ARN`;

type SecretReader = (arn: string) => Promise<string>;

const readFromSecretsManager: SecretReader = async (arn) => {
  // Loaded only when a secret comes by ARN: a function without secrets never pays for the client.
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const { SecretString } = await new SecretsManagerClient({}).send(
    new GetSecretValueCommand({ SecretId: arn }),
  );
  if (!SecretString) throw new Error(`secret ${arn} has no string value`);
  return SecretString;
};

/**
 * `loadEnv`, after fetching the secrets among `names` that are given by ARN rather than by value: secrets
 * stay out of the function's configuration (readable by anyone who may read it) and rotate without a
 * deploy. Locally they are plain variables and nothing is fetched.
 */
export async function loadConfig<const N extends EnvName>(
  names: readonly N[],
  source: NodeJS.ProcessEnv = process.env,
  readSecret: SecretReader = readFromSecretsManager,
) {
  const resolved: NodeJS.ProcessEnv = { ...source };
  await Promise.all(
    SECRET_ENV.filter((name) => (names as readonly string[]).includes(name) && !source[name]).map(
      async (name) => {
        const arn = source[secretArnVariable(name)];
        if (arn) resolved[name] = await readSecret(arn);
      },
    ),
  );
  return loadEnv(names, resolved);
}
