/**
 * Test-wide environment: handlers' structured logs stay quiet unless a test asks for them, and
 * CDK's built-in CloudFormation validation runs only where a test asks for it.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

/**
 * Why off: aws-cdk-lib (2.27x) validates every synth with a WebAssembly engine whose start
 * costs about 8 CPU-seconds in each process that synthesizes, and a second per synth after
 * that; the template files paid it once per file, a quarter of the integration project's CPU.
 * Its findings are warnings no test read. validators.integration.test.ts registers it
 * explicitly (which this variable does not turn off) and requires no finding; the packaging
 * tests' users synthesize with their own environment (test/package/run.ts's `USER_ENV`).
 */
process.env.CDK_VALIDATION ??= 'false';
