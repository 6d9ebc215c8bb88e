/** What the report says about the machine and the model, read when the run is made. */
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunInfo } from '../measurements';

export function machineInfo(): RunInfo['machine'] {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux: os.cpus() it is
  }
  return {
    cpu,
    cores: os.availableParallelism(),
    online: os.cpus().length,
    memoryGiB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

/** The bundle's name, version and label count from its model.json (which must exist), and its file size. */
export function modelInfo(modelDir: string, root: string): RunInfo['model'] {
  const m = JSON.parse(readFileSync(path.join(modelDir, 'model.json'), 'utf8')) as { name?: string; version?: string; labels?: unknown[] };
  let fileMb = NaN;
  try {
    fileMb = statSync(path.join(modelDir, 'model.onnx')).size / 1e6;
  } catch {
    // reported as '–'
  }
  return { name: m.name ?? '?', version: m.version ?? '?', labels: m.labels?.length ?? 0, dir: path.relative(root, modelDir) || modelDir, fileMb };
}
