/**
 * The structured JSON logger of every handler and of the run steps they call.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'idle-canary' });
