/**
 * What cdk-nag reports when an app synthesizes: the distinct finding ids, none when it passed.
 */
import type { App } from 'aws-cdk-lib';

/**
 * Synthesizes `app` (its cdk-nag plugin added) and returns the findings it names, as
 * `AwsSolutions-IAM5[Resource::...]` or `AwsSolutions-L1`.
 *
 * Why both places: the report is printed, or carried by the error, depending on how the console is set up.
 */
export function nagFindings(app: App): string[] {
  const printed: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
  try {
    app.synth();
  } catch (error) {
    printed.push(String(error));
  } finally {
    spy.mockRestore();
  }
  // Each finding is quoted in its "Acknowledge with 'AwsSolutions::<finding>'" line.
  return [...new Set(printed.join('\n').match(/AwsSolutions-[A-Z0-9]+(?:\[[^\n]*\])?(?=')/g))];
}
