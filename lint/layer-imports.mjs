/**
 * ESLint rule `layers/imports`: each folder imports only what `lint/layers.mjs` lets it, at run
 * time. import-x's no-restricted-paths cannot let type-only imports through and
 * no-restricted-imports matches the import string, not where it lands; this rule resolves
 * relative imports against the repository root and checks packages by name.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAYERS } from './layers.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILTINS = new Set(builtinModules);

/** `@scope/name/sub` → `@scope/name`; `fs` and `node:fs` → `node:`. */
export function packageOf(source) {
  if (source.startsWith('node:') || BUILTINS.has(source.split('/')[0])) return 'node:';
  const parts = source.split('/');
  return source.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** A minimal glob: `dir/**` (anything under dir) or an exact path. */
function matches(pattern, file) {
  return pattern.endsWith('/**') ? file.startsWith(pattern.slice(0, -2)) : file === pattern;
}

export function layerOf(file) {
  return LAYERS.find((layer) => layer.files.some((p) => matches(p, file)));
}

/** The import's target, from the repository root, without its extension (`core/orders`). */
function targetOf(fromFile, source) {
  const abs = path.resolve(path.dirname(path.join(ROOT, fromFile)), source);
  return path
    .relative(ROOT, abs)
    .split(path.sep)
    .join('/')
    .replace(/\.(m|c)?[jt]s$/, '');
}

function inFolders(folders, target) {
  return folders.some((f) =>
    f.endsWith('/') ? target.startsWith(f) || `${target}/` === f : target === f || target === `${f}/index`,
  );
}

/** null when allowed, else what the import is (for the message). */
export function refusal(layer, fromFile, source) {
  const relative = source.startsWith('.');
  const what = relative ? targetOf(fromFile, source) : packageOf(source);
  const listed = relative
    ? (rules) => inFolders(rules.folders ?? [], what)
    : (rules) => (rules.packages ?? []).includes(what);
  if (layer.allow && !listed(layer.allow)) return what;
  if (layer.deny && listed(layer.deny)) return what;
  return null;
}

const typeOnly = (node) =>
  node.importKind === 'type' ||
  node.exportKind === 'type' ||
  (node.type === 'ImportDeclaration' &&
    node.specifiers.length > 0 &&
    node.specifiers.every((s) => s.type === 'ImportSpecifier' && s.importKind === 'type')) ||
  (node.type === 'ExportNamedDeclaration' &&
    node.specifiers.length > 0 &&
    node.specifiers.every((s) => s.exportKind === 'type'));

export const layerImports = {
  meta: {
    type: 'problem',
    docs: { description: "Each folder imports only what the README's layout table allows (lint/layers.mjs)" },
    schema: [],
    messages: {
      refused: '{{layer}} may not import "{{source}}" ({{what}}) at run time: {{why}}. See lint/layers.mjs.',
    },
  },
  create(context) {
    const file = path.relative(ROOT, context.physicalFilename).split(path.sep).join('/');
    const layer = layerOf(file);
    if (!layer) return {};
    const check = (node, sourceNode) => {
      if (!sourceNode || typeof sourceNode.value !== 'string') return;
      if (node && typeOnly(node)) return;
      const what = refusal(layer, file, sourceNode.value);
      if (what === null) return;
      context.report({
        node: sourceNode,
        messageId: 'refused',
        data: { layer: layer.name, source: sourceNode.value, what, why: layer.why },
      });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(null, node.source),
      TSImportEqualsDeclaration: (node) =>
        node.importKind !== 'type' && node.moduleReference.type === 'TSExternalModuleReference'
          ? check(null, node.moduleReference.expression)
          : undefined,
      CallExpression: (node) =>
        node.callee.type === 'Identifier' && node.callee.name === 'require'
          ? check(null, node.arguments[0])
          : undefined,
    };
  },
};

export default { meta: { name: 'layers' }, rules: { imports: layerImports } };
