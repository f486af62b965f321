/**
 * Test-wide environment: handlers' structured logs stay quiet unless a test asks for them.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
