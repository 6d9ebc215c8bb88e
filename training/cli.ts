/** Command-line arguments shared by train / evaluate / bench-model (parsing: tools/cli-args.ts). */
import path from 'node:path';

/** The repository root (training/ sits directly under it). */
export const REPO_ROOT = path.resolve(__dirname, '..');
export const DEFAULT_DATA_DIR = path.resolve(REPO_ROOT, '../shared/data');
export const DEFAULT_MODEL_DIR = path.resolve(REPO_ROOT, 'models/default');

export { intArg, parseArgs } from '../tools/cli-args';
