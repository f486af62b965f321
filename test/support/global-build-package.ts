/**
 * Jest global setup of the integration project: the whole package, as `npm pack` packs it.
 */
export { buildPackage as default } from '../../scripts/build';
