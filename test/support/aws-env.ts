/**
 * AWS settings for in-process runs of commands: only the variables a test gives, and no
 * profile or instance metadata service to fall back on.
 */

/** Example credentials (AWS's documented examples): requests are intercepted, never sent. */
export const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** Runs with these environment variables only for AWS, and no instance metadata service. */
export async function withAwsEnv<T>(env: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
  Object.assign(process.env, { AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', ...env });
  try {
    return await run();
  } finally {
    process.env = saved;
  }
}
