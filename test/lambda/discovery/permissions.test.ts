import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanPolicyJson } from '../../../lambda/discovery/permissions';

describe("README's IAM policy for scan", () => {
  it('is the policy written from the actions the discover function is given', () => {
    // Prepare
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

    // Assess: verbatim, in a json block
    expect(readme).toContain(`\`\`\`json\n${scanPolicyJson()}\n\`\`\``);
  });
});
