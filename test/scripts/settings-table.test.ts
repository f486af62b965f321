import { readFileSync } from 'node:fs';
import { README, settingsTable, withTable } from '../../scripts/settings-table';
import { SETTINGS } from '../../lambda/shared/settings';

describe('the README settings table', () => {
  it('is the table of settings as npm run settings-table writes it (run `npm run settings-table -- --write` after changing a row)', () => {
    // Prepare
    const readme = readFileSync(README, 'utf8');

    // Act
    const regenerated = withTable(readme, settingsTable());

    // Assess
    expect(readme).toBe(regenerated);
  });

  it('has one row per cdk.json key, with its default, what it accepts and its documentation', () => {
    // Act
    const lines = settingsTable().split('\n');

    // Assess
    expect(lines.length - 2).toBe(Object.values(SETTINGS).filter((s) => 'config' in s).length);
    expect(lines).toContain('| `maxConcurrency` | 10 | a whole number from 1 to 40 (Step Functions runs at most 40 iterations of an inline Map at once) | probe invocations (shards, or Distributed Map batches) run at once |');
    expect(lines).toContain('| `vpcs[].subnetIds` | required | a list of: a subnet id like subnet-0a1b2c3d | the probe function runs in these (private) subnets, with a route to the backends |');
  });

  it('refuses a README whose markers are missing, in one line naming them', () => {
    // Act & Assess
    expect(() => withTable('# no table here\n', '')).toThrow(/^README\.md: the markers <!-- settings-table: generated .* are missing$/);
  });
});
