import { readdirSync } from 'node:fs';
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

const LIB = join(__dirname, '..', '..', 'lib');

/**
 * The interfaces `type` extends, itself and its bases, whose `extends` names a type that did
 * not resolve: their members would be missing from `getProperties`.
 */
function unresolvedBases(checker: ts.TypeChecker, type: ts.Type): string[] {
  const declarations = (type.getSymbol()?.declarations ?? []).filter(ts.isInterfaceDeclaration);
  const heritage = declarations.flatMap((declaration) => (declaration.heritageClauses ?? []).flatMap((clause) => [...clause.types]));
  const unresolved = heritage.filter((base) => (checker.getTypeAtLocation(base) as { intrinsicName?: string }).intrinsicName === 'error').map((base) => base.getText());
  const bases = type.isClassOrInterface() ? (checker.getBaseTypes(type) ?? []) : [];
  return [...unresolved, ...bases.flatMap((base) => unresolvedBases(checker, base))];
}

/**
 * The members of the constructs' props interfaces, as a user's editor shows them.
 *
 * Why the program holds lib/ alone (`noResolve`): the members' names, modifiers and JSDoc are
 * lib's own, and resolving its imports parsed about 3,400 declaration files of aws-cdk-lib and
 * Node.js, 14 CPU-seconds against 0.2. A props interface that extends a type from elsewhere
 * (whose members would then be missing) fails the test instead.
 */
function members(): Array<{ name: string; readonly: boolean; optional: boolean; summary: string; defaultTag: string | undefined }> {
  const sources = readdirSync(LIB, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts')).map((file) => join(LIB, file));
  const program = ts.createProgram(sources, { strict: true, skipLibCheck: true, noResolve: true, noLib: true, types: [] });
  const checker = program.getTypeChecker();
  const index = checker.getSymbolAtLocation(program.getSourceFile(join(LIB, 'index.ts'))!)!;
  const exported = checker.getExportsOfModule(index).filter((symbol) => /Props$/.test(symbol.name) || ['VpcConfig', 'AccessLogBucketConfig', 'AccessLogSource'].includes(symbol.name));
  expect(exported.map((symbol) => symbol.name).sort()).toEqual(PROPS);
  expect(exported.flatMap((symbol) => unresolvedBases(checker, checker.getDeclaredTypeOfSymbol(checker.getAliasedSymbol(symbol))).map((base) => `${symbol.name} extends ${base}`))).toEqual([]);
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
