import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BENCH = path.resolve(__dirname, '../../bench');

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return modules(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

describe('bench modules', () => {
  it('do nothing when imported: no temp folders, no signal handlers, no output, no servers', () => {
    const files = modules(BENCH);
    expect(files.map((f) => path.relative(BENCH, f))).toEqual(expect.arrayContaining(['run.ts', 'measure/session.ts', 'measure/hello-server.ts', 'measure/inprocess.ts']));
    const benchTemp = () => readdirSync(os.tmpdir()).filter((f) => f.startsWith('moderator-bench-')).sort();
    // Listening sockets and child processes (libraries may leave a timer or an immediate behind; that is no server).
    const servers = () => process.getActiveResourcesInfo().filter((r) => /TCP|Process/.test(r)).length;
    const state = () => ({ temp: benchTemp(), sigint: process.listenerCount('SIGINT'), sigterm: process.listenerCount('SIGTERM'), servers: servers() });
    const before = state();
    const write = jest.spyOn(process.stdout, 'write');
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading each module synchronously is what this test checks
        for (const f of files) require(f);
      });
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
    expect(state()).toEqual(before);
  });
});
