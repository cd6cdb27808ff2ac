/** A set of slots, one bit each. */
export type Bits = Uint32Array;

const POP16 = new Uint8Array(65536);
for (let i = 1; i < 65536; i++) POP16[i] = POP16[i >>> 1] + (i & 1);

export function popcount(bits: Bits): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) {
    const x = bits[i];
    n += POP16[x & 0xffff] + POP16[x >>> 16];
  }
  return n;
}

/** Bits set in both. */
export function popcountAnd(a: Bits, b: Bits): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] & b[i];
    n += POP16[x & 0xffff] + POP16[x >>> 16];
  }
  return n;
}

export const hasBit = (bits: Bits, slot: number): boolean => (bits[slot >>> 5] & (1 << (slot & 31))) !== 0;

export const setBit = (bits: Bits, slot: number): void => {
  bits[slot >>> 5] |= 1 << (slot & 31);
};
