// The WebAssembly SIMD kernels (kernels.wat) and a bump allocator over one shared WebAssembly memory.
import { KERNELS_WASM_BASE64 } from './kernels.generated';

// The project's lib settings carry no WebAssembly declarations (they live in lib.dom): the few used are typed here.
/** A shared WebAssembly memory: its buffer is a SharedArrayBuffer; the object itself can be posted to workers. */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
}
type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
  Memory: new (d: { initial: number; maximum: number; shared: true }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}
/** The runtime's WebAssembly object. */
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Kernels {
  solve(
    indptr: number,
    indices: number,
    data: number,
    other: number,
    target: number,
    gram: number,
    f: number,
    steps: number,
    start: number,
    end: number,
    scratch: number,
  ): void;
  dots4(unit: number, rows: number, f: number, q: number, out: number): void;
  gram(x: number, f: number, start: number, end: number, out: number): void;
}

let compiled: WasmModule | null | undefined;

/** The compiled kernels, or null where this runtime lacks WebAssembly SIMD or threads (callers fall back to JS). */
export function kernelsModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = new wasmApi.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

const instances = new WeakMap<WasmMemory, Kernels>();

/** The kernels bound to `memory` (one instance per memory per thread, cached). */
export function kernelsFor(memory: WasmMemory): Kernels {
  let k = instances.get(memory);
  if (k === undefined) {
    const mod = kernelsModule();
    if (mod === null) throw new Error('expected WebAssembly SIMD support in this Node, but the kernels do not compile');
    k = new wasmApi.Instance(mod, { env: { memory } }).exports as Kernels;
    instances.set(memory, k);
  }
  return k;
}

/** Typed arrays carved out of one shared WebAssembly memory, 16-byte aligned, sized up front. */
export class Arena {
  readonly memory: WasmMemory;
  private next = 16; // offset 0 stays unused so that no array starts at a null pointer

  /** The most bytes an arena may hold: offsets must stay within a signed 32-bit integer. */
  static readonly MAX_BYTES = 2 ** 31 - 2 ** 16;

  constructor(bytes: number) {
    const pages = Math.ceil((bytes + 16) / 65536);
    this.memory = new wasmApi.Memory({ initial: pages, maximum: pages, shared: true });
  }

  /** Bytes an arena needs for arrays of these element counts (4-byte elements), with alignment padding. */
  static bytesFor(counts: number[]): number {
    return counts.reduce((s, n) => s + Math.ceil((n * 4) / 16) * 16, 16);
  }

  private take(n: number): number {
    const offset = this.next;
    this.next += Math.ceil((n * 4) / 16) * 16;
    if (this.next > this.memory.buffer.byteLength) {
      throw new RangeError(`arena of ${this.memory.buffer.byteLength} bytes cannot hold ${this.next} bytes`);
    }
    return offset;
  }

  float32(n: number): Float32Array {
    return new Float32Array(this.memory.buffer, this.take(n), n);
  }

  int32(n: number): Int32Array {
    return new Int32Array(this.memory.buffer, this.take(n), n);
  }
}
