import type { Moderation } from './runtime';

/** A model's readiness as /readyz reports it. */
export interface ModelReadiness {
  name: string;
  version: string;
  ready: boolean;
  /** Why it is not ready. */
  reason?: string;
}

/** The models the service runs, by name; the first is the default. */
export class ModelRegistry {
  private readonly byName: ReadonlyMap<string, Moderation>;

  constructor(readonly all: readonly Moderation[]) {
    if (all.length === 0) throw new Error('a model registry needs at least one model');
    this.byName = new Map(all.map((m) => [m.info.name, m]));
  }

  /** The model a request gets when it names none. */
  get default(): Moderation {
    return this.all[0]!;
  }

  get names(): string[] {
    return this.all.map((m) => m.info.name);
  }

  /** The model of that name; the default for undefined; undefined for an unknown name. */
  find(name: string | undefined): Moderation | undefined {
    return name === undefined ? this.default : this.byName.get(name);
  }

  readiness(): ModelReadiness[] {
    return this.all.map(({ info, service }) => {
      const reason = service.unavailable();
      return reason ? { name: info.name, version: info.version, ready: false, reason } : { name: info.name, version: info.version, ready: true };
    });
  }

  /**
   * Why the service cannot serve every model now, or undefined when it can. With one model, its own
   * reason; with several, which model it is.
   */
  unavailable(): string | undefined {
    const down = this.readiness().filter((r) => !r.ready);
    if (down.length === 0) return undefined;
    if (this.all.length === 1) return down[0]!.reason;
    return down.map((r) => `model '${r.name}': ${r.reason}`).join('; ');
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((m) => m.close()));
  }
}
