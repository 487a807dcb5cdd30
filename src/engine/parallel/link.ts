/**
 * Collective operations between the replicas of one training run, over a
 * SharedArrayBuffer. Every replica must make the same sequence of calls (the training loop
 * is deterministic, so it does); a call returns once every replica has made it.
 *
 * Sums are formed in rank order by every replica, so all replicas see identical bits and
 * identical optimiser updates keep their weights identical.
 */

/** Thrown in a replica waiting on a barrier when another replica gave up. */
export class ReplicaAbortedError extends Error {
  constructor() {
    super("another replica stopped");
    this.name = "ReplicaAbortedError";
  }
}

export interface ReplicaLink {
  readonly rank: number;
  readonly world: number;
  /** Element-wise sum over the replicas of `local` (at most SMALL_CAPACITY values). */
  sum64(local: Float64Array): Float64Array;
  /**
   * Every replica's `length` float32 values: `fill` writes this replica's into the view it
   * is given; the result holds one view per replica, in rank order. The views stay valid
   * until this replica's next `exchange32` call.
   */
  exchange32(length: number, fill: (own: Float32Array) => void): Float32Array[];
  /** Tells the other replicas to stop: their pending and future calls throw. */
  abort(): void;
}

/** The link of a run with one replica: sums are the values themselves. */
export const SOLO_LINK: ReplicaLink = {
  rank: 0,
  world: 1,
  sum64: (local) => Float64Array.from(local),
  exchange32: (length, fill) => {
    const own = new Float32Array(length);
    fill(own);
    return [own];
  },
  abort: () => {},
};

/** Values per replica that one sum64 call can carry. */
export const SMALL_CAPACITY = 1024;

const GENERATION = 0;
const ARRIVED = 1;
const ABORTED = 2;
const CONTROL_BYTES = 64;

/**
 * How long a barrier spins before sleeping. Replicas on their own cores arrive within a
 * fraction of a millisecond of each other, and waking from Atomics.wait costs about as
 * much again; a longer wait (another replica evaluating, or descheduled) sleeps.
 */
const SPIN_MS = 2;

/** Bytes of the buffer that `SharedLink` needs for `world` replicas exchanging `floats`. */
export function sharedLinkBytes(world: number, floats: number): number {
  return CONTROL_BYTES + 2 * world * SMALL_CAPACITY * 8 + 2 * world * floats * 4;
}

/**
 * A replica's end of the shared buffer. Each collective writes this replica's slot,
 * waits at a barrier, then reads every slot. Slots alternate between two halves from call
 * to call: a replica writing half h in call k + 2 has passed the barrier of call k + 1,
 * which every other replica reached only after it finished reading half h in call k.
 */
export class SharedLink implements ReplicaLink {
  private readonly control: Int32Array;
  private readonly small: Float64Array;
  private readonly large: Float32Array;
  private smallCalls = 0;
  private largeCalls = 0;

  constructor(
    buffer: SharedArrayBuffer,
    readonly rank: number,
    readonly world: number,
    private readonly floats: number,
  ) {
    if (buffer.byteLength < sharedLinkBytes(world, floats)) {
      throw new Error("SharedLink: the buffer is too small for this world and size");
    }
    this.control = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
    this.small = new Float64Array(buffer, CONTROL_BYTES, 2 * world * SMALL_CAPACITY);
    this.large = new Float32Array(
      buffer,
      CONTROL_BYTES + 2 * world * SMALL_CAPACITY * 8,
      2 * world * floats,
    );
  }

  sum64(local: Float64Array): Float64Array {
    if (local.length > SMALL_CAPACITY) throw new Error("sum64: too many values");
    const half = this.smallCalls++ % 2;
    const slot = (r: number) => (half * this.world + r) * SMALL_CAPACITY;
    this.small.set(local, slot(this.rank));
    this.barrier();
    const out = new Float64Array(local.length);
    for (let r = 0; r < this.world; r++) {
      const base = slot(r);
      for (let i = 0; i < out.length; i++) out[i]! += this.small[base + i]!;
    }
    return out;
  }

  exchange32(length: number, fill: (own: Float32Array) => void): Float32Array[] {
    if (length > this.floats) throw new Error("exchange32: more values than the link holds");
    const half = this.largeCalls++ % 2;
    const view = (r: number) => {
      const start = (half * this.world + r) * this.floats;
      return this.large.subarray(start, start + length);
    };
    fill(view(this.rank));
    this.barrier();
    return Array.from({ length: this.world }, (_, r) => view(r));
  }

  abort(): void {
    Atomics.store(this.control, ABORTED, 1);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
  }

  /** Returns when every replica has arrived; a sense-reversing barrier on GENERATION. */
  private barrier(): void {
    const c = this.control;
    if (Atomics.load(c, ABORTED) !== 0) throw new ReplicaAbortedError();
    const generation = Atomics.load(c, GENERATION);
    if (Atomics.add(c, ARRIVED, 1) === this.world - 1) {
      Atomics.store(c, ARRIVED, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
    } else {
      const start = performance.now();
      let spinning = true;
      for (let i = 1; Atomics.load(c, GENERATION) === generation; i++) {
        if (!spinning) Atomics.wait(c, GENERATION, generation, 100);
        else if (i % 1024 === 0) spinning = performance.now() - start < SPIN_MS;
      }
    }
    if (Atomics.load(c, ABORTED) !== 0) throw new ReplicaAbortedError();
  }
}
