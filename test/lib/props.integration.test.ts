import { join } from 'node:path';
import ts from 'typescript';

/** The props of IdleCanary, of each construct it composes and of the gate, and the configs they take. */
const PROPS = [
  'AccessLogBucketConfig',
  'AccessLogCounterProps',
  'AccessLogSource',
  'CanaryAlarmsProps',
  'CanaryDashboardProps',
  'IdleCanaryGateProps',
  'IdleCanaryProps',
  'LoggingPartProps',
  'LongProbeProps',
  'ProbeFunctionsProps',
  'ProbeSettingsProps',
  'ReportsPartProps',
  'RunFunctionsProps',
  'RunStateMachineProps',
  'RunTriggersProps',
  'VpcConfig',
];

/** The members of the constructs' props interfaces, as a user's editor shows them. */
function members(): Array<{ name: string; readonly: boolean; optional: boolean; summary: string; defaultTag: string | undefined }> {
  const program = ts.createProgram([join(__dirname, '..', '..', 'lib', 'index.ts')], { strict: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const index = checker.getSymbolAtLocation(program.getSourceFile(join(__dirname, '..', '..', 'lib', 'index.ts'))!)!;
  const exported = checker.getExportsOfModule(index).filter((symbol) => /Props$/.test(symbol.name) || ['VpcConfig', 'AccessLogBucketConfig', 'AccessLogSource'].includes(symbol.name));
  expect(exported.map((symbol) => symbol.name).sort()).toEqual(PROPS);
  return exported.flatMap((symbol) => {
    const type = checker.getDeclaredTypeOfSymbol(checker.getAliasedSymbol(symbol));
    return type.getProperties().map((property) => {
      const declaration = property.declarations![0] as ts.PropertySignature;
      return {
        name: `${symbol.name}.${property.name}`,
        readonly: (ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Readonly) !== 0,
        optional: declaration.questionToken !== undefined,
        summary: ts.displayPartsToString(property.getDocumentationComment(checker)),
        defaultTag: property.getJsDocTags(checker).find((tag) => tag.name === 'default')?.text?.map((part) => part.text).join(''),
      };
    });
  });
}

describe('the construct library props', () => {
  it('are flat: each member readonly with a one-line JSDoc summary, and each optional one says its @default', () => {
    // Act
    const props = members();

    // Assess
    expect(props.length).toBeGreaterThan(25);
    expect(props.filter((p) => !p.readonly).map((p) => p.name)).toEqual([]);
    expect(props.filter((p) => p.summary.trim() === '').map((p) => p.name)).toEqual([]);
    expect(props.filter((p) => p.optional && !p.defaultTag?.trim()).map((p) => p.name)).toEqual([]);
  });
});
