// Tokenizes .reg books with the extension's TextMate grammar, as VS Code does.
//
//   node test/tokenize.mjs            check every bundled book and test/golden.json
//   node test/tokenize.mjs --update   rewrite the scopes in test/golden.json
//
// A book passes when no line stops early, no character is left unscoped or
// scoped invalid, and no line leaves a region open.  golden.json maps sample
// lines to their [text, scopes] tokens (whitespace-only tokens left out,
// the root scope source.regdsl dropped).

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import oniguruma from 'vscode-oniguruma';
import textmate from 'vscode-textmate';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const grammarPath = path.resolve(here, '../syntaxes/regdsl.tmLanguage.json');
const goldenPath = path.join(here, 'golden.json');
const BOOK_DIRS = ['regulations', 'examples', 'tests'];

/** Loads the regdsl grammar with the Oniguruma engine VS Code uses. */
async function loadGrammar() {
  const require = createRequire(import.meta.url);
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => scopeName === 'source.regdsl'
      ? textmate.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath)
      : null,
  });
  return registry.loadGrammar('source.regdsl');
}

/** The .reg files under regulations/, examples/ and tests/. */
function bundledBooks() {
  return BOOK_DIRS.flatMap((dir) => {
    try {
      return readdirSync(path.join(root, dir), { recursive: true })
        .filter((name) => name.endsWith('.reg'))
        .map((name) => path.join(root, dir, name));
    } catch {
      return [];
    }
  }).sort();
}

/** The [text, scopes] tokens of one line, as golden.json records them. */
function scopesOf(line, result) {
  return result.tokens
    .map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes.slice(1).join(' ')])
    .filter(([text]) => text.trim() !== '');
}

/** Problems found while tokenizing one book, as "file:line: message" strings. */
function checkBook(grammar, file, baseDepth) {
  const problems = [];
  const where = (n) => `${path.relative(root, file)}:${n + 1}`;
  let stack = textmate.INITIAL;
  readFileSync(file, 'utf8').split(/\r?\n/).forEach((line, n) => {
    const result = grammar.tokenizeLine(line, stack);
    stack = result.ruleStack;
    if (result.stoppedEarly) problems.push(`${where(n)}: tokenizing stopped early`);
    for (const [text, scopes] of scopesOf(line, result)) {
      if (scopes === '') problems.push(`${where(n)}: no scope for ${JSON.stringify(text)}`);
      if (scopes.includes('invalid')) problems.push(`${where(n)}: invalid ${JSON.stringify(text)}`);
    }
    if (stack.depth !== baseDepth) problems.push(`${where(n)}: a region is left open`);
  });
  return problems;
}

const grammar = await loadGrammar();
const baseDepth = grammar.tokenizeLine('', textmate.INITIAL).ruleStack.depth;
const books = bundledBooks();
const problems = books.flatMap((file) => checkBook(grammar, file, baseDepth));

const golden = JSON.parse(readFileSync(goldenPath, 'utf8'));
for (const line of Object.keys(golden)) {
  const actual = scopesOf(line, grammar.tokenizeLine(line, textmate.INITIAL));
  if (process.argv.includes('--update')) {
    golden[line] = actual;
  } else if (JSON.stringify(actual) !== JSON.stringify(golden[line])) {
    problems.push(`golden line ${JSON.stringify(line)}:\n  expected ${JSON.stringify(golden[line])}\n  actual   ${JSON.stringify(actual)}`);
  }
}
if (process.argv.includes('--update')) {
  const rows = Object.entries(golden).map(([line, tokens]) =>
    `  ${JSON.stringify(line)}: [\n${tokens.map((t) => `    ${JSON.stringify(t)}`).join(',\n')}\n  ]`);
  writeFileSync(goldenPath, `{\n${rows.join(',\n')}\n}\n`);
}

if (books.length === 0) problems.push('no .reg books found');
for (const problem of problems) console.error(problem);
console.log(`${books.length} books, ${Object.keys(golden).length} golden lines, ${problems.length} problems`);
process.exitCode = problems.length ? 1 : 0;
