/**
 * Model files a strategy may name: only ONNX files inside the project's `models/` folder. A bot
 * definition is user input and the worker opens the file it names, so "/etc/passwd" or
 * "models/../../secret" must be refused before anything reads it (the inference activity checks
 * again after resolving the path). Pure: string checks only, no `node:path` (this runs in the
 * workflow sandbox too).
 */
import { text } from './schema';

export const MODELS_FOLDER = 'models';

/** Why a model path is not acceptable, or null. */
export function modelPathProblem(p: string): string | null {
  if (p.length > 200) return 'must be at most 200 characters';
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p) || p.includes('\\'))
    return `must be a relative path inside ${MODELS_FOLDER}/, such as "${MODELS_FOLDER}/momentum-lstm.onnx" (got ${JSON.stringify(p.slice(0, 60))})`;
  const parts = p.split('/');
  if (parts[0] !== MODELS_FOLDER || parts.length < 2)
    return `must be inside the ${MODELS_FOLDER}/ folder, such as "${MODELS_FOLDER}/momentum-lstm.onnx" (got ${JSON.stringify(p.slice(0, 60))})`;
  if (parts.some((s) => s === '..' || s === '.' || s === ''))
    return `must not contain "..", "." or empty parts (got ${JSON.stringify(p.slice(0, 60))})`;
  if (!parts.every((s) => /^[A-Za-z0-9_.-]+$/.test(s))) return 'may use letters, digits, "_", "-" and "." only';
  if (!p.endsWith('.onnx')) return 'must be an .onnx file';
  return null;
}

export const modelFile = text('a model file path').superRefine((p, ctx) => {
  const problem = modelPathProblem(p);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
