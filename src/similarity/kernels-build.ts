// Dev tool: assembles kernels.wat into kernels.generated.ts (run after editing the .wat; a unit test checks they agree).
import fs from 'node:fs';
import path from 'node:path';
import wabtInit from 'wabt';
import { wasmApi } from './wasm';

/** The WebAssembly binary of kernels.wat, assembled with wabt (SIMD, threads and bulk memory enabled). */
export async function assembleKernels(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const source = fs.readFileSync(path.join(__dirname, 'kernels.wat'), 'utf8');
  const parsed = wabt.parseWat('kernels.wat', source, { simd: true, threads: true, bulk_memory: true });
  try {
    // wabt.js's validate() ignores the thread feature for shared memories; WebAssembly.validate checks instead.
    const bytes = parsed.toBinary({}).buffer;
    if (!wasmApi.validate(bytes)) throw new Error('kernels.wat assembled into a module this Node rejects');
    return bytes;
  } finally {
    parsed.destroy();
  }
}

/** The generated module's text: the binary as base64, wrapped at 120 columns. */
export function generatedSource(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64');
  const lines = b64.match(/.{1,100}/g) ?? [];
  return [
    '// Generated from kernels.wat by kernels-build.ts: do not edit.',
    'export const KERNELS_WASM_BASE64 =',
    ...lines.map((l, i) => `  '${l}'${i === lines.length - 1 ? ';' : ' +'}`),
    '',
  ].join('\n');
}

if (require.main === module) {
  assembleKernels().then(
    (bytes) => {
      fs.writeFileSync(path.join(__dirname, 'kernels.generated.ts'), generatedSource(bytes));
      process.stdout.write(`kernels.generated.ts: ${bytes.length} bytes of WebAssembly\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
