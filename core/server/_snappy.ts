/**
 * The Snappy block format Nomad stores dispatch payloads in (`Job.Payload` is the
 * snappy-compressed payload): a varint of the decoded length, then literals and copies.
 *
 * The encoder writes only literals: valid Snappy that any decoder reads, without compression,
 * which payloads of at most 16 KiB do not need. The decoder reads every element kind.
 *
 * @module
 */

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** Encodes `data` as one Snappy block of literals. */
export function snappyEncode(data: Uint8Array): Uint8Array {
  const out: number[] = varint(data.length);
  const chunks: Uint8Array[] = [];
  // A literal holds at most 2^32 bytes; 64 KiB chunks keep the tag to 3 bytes.
  for (let at = 0; at < data.length; at += 65536) {
    const chunk = data.subarray(at, at + 65536);
    const n = chunk.length - 1;
    const tag = n < 60 ? [n << 2] : n < 256 ? [60 << 2, n] : [61 << 2, n & 0xff, n >> 8];
    chunks.push(new Uint8Array(tag), chunk);
  }
  const size = out.length + chunks.reduce((s, c) => s + c.length, 0);
  const result = new Uint8Array(size);
  result.set(out);
  let pos = out.length;
  for (const c of chunks) {
    result.set(c, pos);
    pos += c.length;
  }
  return result;
}

/**
 * Decodes one Snappy block.
 *
 * @throws {RangeError} `corrupt snappy input` when the block is malformed.
 */
export function snappyDecode(block: Uint8Array): Uint8Array {
  const corrupt = () => new RangeError("Cannot decode the payload: corrupt snappy input");
  let pos = 0;
  let length = 0;
  for (let shift = 1;; shift *= 128) {
    const b = block[pos++];
    if (b === undefined || shift > 2 ** 28) throw corrupt();
    length += (b & 0x7f) * shift;
    if (b < 0x80) break;
  }
  const out = new Uint8Array(length);
  let o = 0;
  const byte = () => {
    const b = block[pos++];
    if (b === undefined) throw corrupt();
    return b;
  };
  while (pos < block.length) {
    const tag = byte();
    if ((tag & 3) === 0) {
      let n = tag >> 2;
      if (n >= 60) {
        const bytes = n - 59;
        n = 0;
        for (let i = 0; i < bytes; i++) n += byte() * 2 ** (8 * i);
      }
      n += 1;
      if (pos + n > block.length || o + n > length) throw corrupt();
      out.set(block.subarray(pos, pos + n), o);
      pos += n;
      o += n;
      continue;
    }
    let n: number;
    let offset: number;
    if ((tag & 3) === 1) {
      n = 4 + ((tag >> 2) & 7);
      offset = ((tag & 0xe0) << 3) | byte();
    } else {
      n = (tag >> 2) + 1;
      const width = (tag & 3) === 2 ? 2 : 4;
      offset = 0;
      for (let i = 0; i < width; i++) offset += byte() * 2 ** (8 * i);
    }
    if (offset === 0 || offset > o || o + n > length) throw corrupt();
    for (let i = 0; i < n; i++, o++) out[o] = out[o - offset]!;
  }
  if (o !== length) throw corrupt();
  return out;
}
