import { intArg, intListArg, parseArgs, positiveArg } from '../../tools/cli-args';

const spec = { values: { reps: 'repetitions', out: 'file' }, flags: { smoke: 'short run' } };

describe('tool arguments', () => {
  it('reads values (both forms) and flags', () => {
    const { values, flags } = parseArgs(['--reps', '3', '--out=a=b.md', '--smoke'], spec, 'usage');
    expect(values).toEqual({ reps: '3', out: 'a=b.md' });
    expect([...flags]).toEqual(['smoke']);
  });

  it.each([
    [['--bogus'], 'unknown option --bogus'],
    [['--smoke=yes'], 'unknown option --smoke'],
    [['stray'], "unexpected argument 'stray'"],
    [['--reps'], '--reps needs a value'],
    [['--reps', '--smoke'], '--reps needs a value'],
  ])('refuses %j, naming it', (argv, message) => {
    expect(() => parseArgs(argv, spec, 'usage')).toThrow(message);
  });

  it('checks numbers before any work starts, naming the option', () => {
    expect(intArg({ reps: '5' }, 'reps', 1)).toBe(5);
    expect(intArg({}, 'reps', 1)).toBeUndefined();
    for (const bad of ['0', '-1', 'abc', '', '1.5', '1e3']) expect(() => intArg({ reps: bad }, 'reps', 1)).toThrow(`--reps must be an integer of at least 1, got '${bad}'`);
    expect(positiveArg({ seconds: '0.5' }, 'seconds')).toBe(0.5);
    for (const bad of ['0', '-2', 'x', ' ']) expect(() => positiveArg({ seconds: bad }, 'seconds')).toThrow('--seconds must be a number above 0');
    expect(intListArg({ conns: '1, 16,64' }, 'conns')).toEqual([1, 16, 64]);
    expect(() => intListArg({ conns: '1,,2' }, 'conns')).toThrow("--conns must be an integer of at least 1, got ''");
  });
});
