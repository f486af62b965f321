/**
 * The structured JSON logger of every handler.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'idle-canary' });
