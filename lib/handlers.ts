/**
 * The Lambda handlers the build bundles and the construct deploys: one list both read.
 */
import { join } from 'node:path';
import { packageRoot } from './package-root';

/** Each is `lambda/handlers/NAME.ts`, bundled to `dist/handlers/NAME/index.js`. */
export const HANDLER_NAMES = ['discover', 'probe', 'publish', 'digest', 'access-logs', 'gate-hook', 'gate-conclude'] as const;

export type HandlerName = (typeof HANDLER_NAMES)[number];

/** Where the build writes the bundles and the construct reads them. */
export const HANDLERS_DIR = join(packageRoot(), 'dist', 'handlers');

/**
 * The long-horizon probe task (`lambda/handlers/long-probe.ts`): bundled with the AWS SDK to
 * `dist/handlers/long-probe/index.js`, next to the Dockerfile CDK builds its image from.
 */
export const LONG_PROBE_NAME = 'long-probe';

/** The image's build context: the bundle and its Dockerfile. */
export const LONG_PROBE_DIR = join(HANDLERS_DIR, LONG_PROBE_NAME);

/**
 * The image: the bundle on the official Node.js 22 base image (Debian slim), run as the
 * unprivileged `node` user. Docker pulls the base image where `cdk deploy` runs, never the task.
 */
export const LONG_PROBE_DOCKERFILE = [
  'FROM public.ecr.aws/docker/library/node:22-bookworm-slim',
  'WORKDIR /app',
  'COPY index.js index.js.map ./',
  'ENV NODE_OPTIONS=--enable-source-maps',
  'USER node',
  'CMD ["node", "index.js"]',
  '',
].join('\n');
