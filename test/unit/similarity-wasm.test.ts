import { assembleKernels } from '../../src/similarity/kernels-build';
import { KERNELS_WASM_BASE64 } from '../../src/similarity/kernels.generated';
import { Arena, kernelsModule } from '../../src/similarity/wasm';

test('kernels.generated.ts is the assembly of kernels.wat (else run src/similarity/kernels-build.ts)', async () => {
  const bytes = await assembleKernels();
  expect(Buffer.from(bytes).toString('base64')).toBe(KERNELS_WASM_BASE64);
  expect(kernelsModule()).not.toBeNull();
});

test('arena arrays are aligned views of one shared memory and refuse to overflow', () => {
  const arena = new Arena(Arena.bytesFor([3, 5]));
  const a = arena.float32(3);
  const b = arena.int32(5);
  expect(a.buffer).toBe(b.buffer);
  expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
  expect(a.byteOffset % 16).toBe(0);
  expect(b.byteOffset % 16).toBe(0);
  expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 12);
  expect(() => arena.float32(1e6)).toThrow(/cannot hold/);
});
