/**
 * Jest global setup of the unit project: the Lambda bundles the construct reads at synth.
 *
 * Why here and not only in `npm test`: `npx jest FILE` on a fresh clone must work too.
 */
export { bundleHandlers as default } from '../../scripts/build';
