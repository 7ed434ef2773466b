// Inlines wasm-bindgen's JS snippets (`#[wasm_bindgen(module = "/src/…js")]`) into the glue, so
// the widget is one JS file and one Wasm file: on a slow network each extra request costs a
// round trip. Each snippet becomes one function scope returning its exports; the glue's
// `import { a, b } from './snippets/…'` and `import * as m from './snippets/…'` lines become
// `const` bindings to it.
//
// Snippets must follow the style this reads: top-level `export function`, `export async
// function` and `export const` only, no imports. Anything else fails the build, loudly.
//
// Usage: node scripts/inline-snippets.mjs <glue.js> <pkg dir> > out.js
import { readFileSync } from "node:fs";
import { join } from "node:path";

const [gluePath, pkgDir] = process.argv.slice(2);
let glue = readFileSync(gluePath, "utf8");
const modules = new Map(); // snippet path -> variable name

const importRe = /^import\s+(\{[^}]*\}|\*\s+as\s+\w+)\s+from\s+['"](\.\/snippets\/[^'"]+)['"];?[ \t]*$/gm;
glue = glue.replace(importRe, (_, what, path) => {
  if (!modules.has(path)) modules.set(path, `__snippet${modules.size}`);
  const name = modules.get(path);
  if (what.startsWith("*")) return `const ${what.replace(/^\*\s+as\s+/, "")} = ${name};`;
  // `{ a, b as c }` -> `{ a, b: c }`
  return `const ${what.replace(/\b(\w+)\s+as\s+(\w+)\b/g, "$1: $2")} = ${name};`;
});
if (/from\s+['"]\.\/snippets\//.test(glue) || /import\(\s*['"]\.\/snippets\//.test(glue)) {
  throw new Error("a snippet import was left that this inliner does not understand");
}

const defs = [];
for (const [path, name] of modules) {
  const source = readFileSync(join(pkgDir, path), "utf8");
  if (/^\s*import\s/m.test(source)) throw new Error(`${path}: snippets may not import`);
  const exported = [];
  const body = source.replace(
    /^export\s+((?:async\s+)?function\s*\*?\s*(\w+)|const\s+(\w+))/gm,
    (_, decl, fn, konst) => {
      exported.push(fn || konst);
      return decl;
    },
  );
  if (/^\s*export\b/m.test(body)) throw new Error(`${path}: an export form this inliner does not read`);
  defs.push(`const ${name} = (() => {\n${body}\nreturn { ${exported.join(", ")} };\n})();`);
}
process.stdout.write(defs.join("\n") + (defs.length ? "\n" : "") + glue);
