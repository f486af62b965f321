import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { longProbeTask } from '../../../lambda/handlers/long-probe';

describe('the long probe task reading its shard from a file', () => {
  const s3 = mockClient(S3Client);
  afterAll(() => s3.restore());
  const env = (file: string) => ({ IDLE_CANARY_BUCKET: 'idle-canary-reports', IDLE_CANARY_RESULT_KEY: 'idle-canary/results/r/long/vpc-0a1.json', IDLE_CANARY_TIME_BUDGET_S: '5', IDLE_CANARY_SHARD_FILE: file });
  const tooLarge = 'IDLE_CANARY_SHARD_FILE="%s": expected a shard file of at most 4194304 bytes';

  it.each([
    ['a file one byte past the bound', () => {
      const file = join(mkdtempSync(join(tmpdir(), 'long-probe-')), 'shard.json');
      writeFileSync(file, Buffer.alloc(4 * 2 ** 20 + 1, 0x20));
      return file;
    }],
    ['a device that never ends and says it has no size', () => '/dev/zero'],
  ])('rejects %s, naming the variable and the bound, and writes nothing', async (_case, pathOf) => {
    // Prepare
    const file = pathOf();

    // Act
    const task = longProbeTask(env(file), { s3: new S3Client({ region: 'eu-west-1' }) });

    // Assess
    await expect(task).rejects.toThrow(tooLarge.replace('%s', file));
    expect(s3.calls()).toHaveLength(0);
  });
});
