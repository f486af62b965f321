/**
 * Where the construct finds its Lambda code: bundles that `npm run build` writes with esbuild.
 *
 * Why prebuilt: a user's `cdk synth` then needs neither esbuild nor Docker, and deploys
 * exactly the code that was tested and packed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HANDLERS_DIR, type HandlerName } from './handlers';

/**
 * The asset of one handler's bundle (`index.js` exporting `handler`, and its source map).
 *
 * @throws Error naming the missing directory and the command that writes it
 * @example
 * new lambda.Function(scope, 'Probe', { code: handlerCode('probe'), handler: 'index.handler', runtime });
 */
export function handlerCode(name: HandlerName): lambda.Code {
  const dir = join(HANDLERS_DIR, name);
  if (!existsSync(join(dir, 'index.js'))) throw new Error(`the Lambda bundle of "${name}" is missing from ${dir}: run \`npm run build\` first`);
  return lambda.Code.fromAsset(dir);
}
