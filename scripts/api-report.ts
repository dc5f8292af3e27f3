/**
 * `npm run api`: writes API.md, the report of the package's public API as its users see it: every
 * name that `lib/index.ts` exports, with its kind and its declaration as the compiled `.d.ts` files
 * declare it (members and signatures; doc comments and private members left out).
 *
 * The report is built from declarations the TypeScript compiler emits in memory from lib/ (the
 * same compilation `npm run build` makes), then read back as a user's compiler would. It refuses
 * a public declaration that names a type of the library which `lib/index.ts` does not export (a
 * user could not name it). Commit API.md with the change that alters it:
 * test/package/api-report.test.ts fails while the committed file differs, so every change of the
 * public API is seen in review.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** Where the report lives, from the repository root. */
export const API_REPORT_FILE = 'API.md';
/** The command that regenerates it. */
export const API_REPORT_COMMAND = 'npm run api';

/** The emitted declarations of lib/, by absolute path (`<root>/dist/....d.ts`). */
function emitDeclarations(root: string): Map<string, string> {
  const configFile = path.join(root, 'tsconfig.build.json');
  const config = ts.getParsedCommandLineOfConfigFile(configFile, { noEmit: false, declaration: true, emitDeclarationOnly: true }, {
    ...ts.sys, onUnRecoverableConfigFileDiagnostic: diagnostic => { throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')); },
  });
  if (!config) {
    throw new Error(`cannot read ${configFile}`);
  }
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const files = new Map<string, string>();
  const result = program.emit(undefined, (fileName, text) => files.set(path.resolve(fileName), text), undefined, true);
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
  if (diagnostics.length > 0) {
    throw new Error(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: name => name, getCurrentDirectory: () => root, getNewLine: () => '\n' }));
  }
  return files;
}

/**
 * A compiler over the emitted declarations, read from memory. It reads nothing else (`noResolve`):
 * the report only needs the library's own symbols, and aws-cdk-lib's declarations would take most
 * of the time.
 */
function declarationProgram(declarations: Map<string, string>): ts.Program {
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, skipLibCheck: true, types: [], noEmit: true, noResolve: true, noLib: true };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (fileName, language, onError, create) => {
    const text = declarations.get(path.resolve(fileName));
    return text !== undefined ? ts.createSourceFile(fileName, text, language) : getSourceFile(fileName, language, onError, create);
  };
  const fileExists = host.fileExists;
  host.fileExists = fileName => declarations.has(path.resolve(fileName)) || fileExists(fileName);
  const directoryExists = host.directoryExists?.bind(host);
  host.directoryExists = directory => [...declarations.keys()].some(file => file.startsWith(path.resolve(directory) + path.sep)) || (directoryExists?.(directory) ?? true);
  const readFile = host.readFile;
  host.readFile = fileName => declarations.get(path.resolve(fileName)) ?? readFile(fileName);
  return ts.createProgram({ rootNames: [...declarations.keys()], options, host });
}

const KINDS: Array<[(node: ts.Node) => boolean, string]> = [
  [ts.isClassDeclaration, 'class'],
  [ts.isInterfaceDeclaration, 'interface'],
  [ts.isEnumDeclaration, 'enum'],
  [ts.isTypeAliasDeclaration, 'type'],
  [ts.isFunctionDeclaration, 'function'],
  [ts.isVariableDeclaration, 'const'],
];

/** What a user sees of a declaration: no doc comments, no private members. */
function publicText(node: ts.Node, sourceFile: ts.SourceFile, printer: ts.Printer): string {
  const statement = ts.isVariableDeclaration(node) ? node.parent.parent : node;
  const stripped = ts.transform(statement, [context => root => {
    const visit = (child: ts.Node): ts.Node | undefined => {
      if (ts.isClassElement(child) && ts.getCombinedModifierFlags(child as ts.Declaration) & ts.ModifierFlags.Private) {
        return undefined;
      }
      return ts.visitEachChild(child, visit, context);
    };
    return ts.visitEachChild(root, visit, context);
  }]).transformed[0];
  return printer.printNode(ts.EmitHint.Unspecified, stripped, sourceFile);
}

/**
 * The type names a declaration mentions that resolve to declarations of the library (not of
 * aws-cdk-lib or constructs), for the check that each is exported.
 */
function libraryTypesNamedBy(node: ts.Node, checker: ts.TypeChecker, isLibraryFile: (fileName: string) => boolean): ts.Symbol[] {
  const found: ts.Symbol[] = [];
  const visit = (child: ts.Node): void => {
    if (ts.isClassElement(child) && ts.getCombinedModifierFlags(child as ts.Declaration) & ts.ModifierFlags.Private) {
      return;
    }
    const name = ts.isTypeReferenceNode(child) ? child.typeName
      : ts.isExpressionWithTypeArguments(child) ? child.expression
        : ts.isTypeQueryNode(child) ? child.exprName : undefined;
    if (name) {
      let symbol = checker.getSymbolAtLocation(ts.isQualifiedName(name) ? name.right : ts.isPropertyAccessExpression(name) ? name.name : name);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) {
        symbol = checker.getAliasedSymbol(symbol);
      }
      if (symbol?.declarations?.some(declaration => isLibraryFile(declaration.getSourceFile().fileName)) && !(symbol.flags & ts.SymbolFlags.TypeParameter)) {
        found.push(symbol);
      }
    }
    ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
}

/** Case-insensitive, then by code unit: the same order on every machine. */
function byName(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/** The report: one section per exported name, sorted, with its kind and public declaration. */
export function apiReport(root: string): string {
  const declarations = emitDeclarations(root);
  const dist = path.join(root, 'dist');
  const entry = path.join(dist, 'index.d.ts');
  const program = declarationProgram(declarations);
  const checker = program.getTypeChecker();
  const isLibraryFile = (fileName: string) => declarations.has(path.resolve(fileName));
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const symbols = checker.getExportsOfModule(moduleSymbol).sort((a, b) => byName(a.name, b.name));
  const exported = new Set(symbols.map(symbol => symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol));
  const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });
  const forgotten = new Map<string, Set<string>>();

  const sections = symbols.map(symbol => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const nodes = (target.declarations ?? []).filter(node => KINDS.some(([is]) => is(node)));
    const kinds = [...new Set(nodes.map(node => KINDS.find(([is]) => is(node))![1]))];
    const file = path.relative(dist, nodes[0]?.getSourceFile().fileName ?? entry).replace(/\.d\.ts$/, '.ts').split(path.sep).join('/');
    for (const node of nodes) {
      for (const named of libraryTypesNamedBy(node, checker, isLibraryFile)) {
        if (!exported.has(named)) {
          forgotten.set(named.name, (forgotten.get(named.name) ?? new Set()).add(symbol.name));
        }
      }
    }
    const code = nodes.map(node => publicText(node, node.getSourceFile(), printer)).join('\n');
    return `## ${symbol.name}\n\n${kinds.join(', ')} · lib/${file}\n\n\`\`\`ts\n${code}\n\`\`\`\n`;
  });
  if (forgotten.size > 0) {
    throw new Error('The public API names types that lib/index.ts does not export (a user could not name them); export them, or keep them out of public signatures:\n'
      + [...forgotten].map(([name, users]) => `  ${name}, named by ${[...users].join(', ')}`).join('\n'));
  }
  return '# Public API\n\n'
    + `Generated by \`${API_REPORT_COMMAND}\` from the declarations the package ships: every name \`lib/index.ts\` exports, its kind, its source file and `
    + 'its declaration (doc comments and private members left out). Do not edit: run the command and commit the result with the change that alters it.\n\n'
    + `${symbols.length} exported names.\n\n`
    + sections.join('\n');
}

if (require.main === module) {
  const root = path.join(__dirname, '..');
  const target = path.join(root, API_REPORT_FILE);
  const report = apiReport(root);
  const before = fs.existsSync(target) ? fs.readFileSync(target, 'utf-8') : undefined;
  if (before !== report) {
    fs.writeFileSync(target, report);
    process.stdout.write(`${before === undefined ? 'wrote' : 'updated'} ${API_REPORT_FILE}\n`);
  }
}
