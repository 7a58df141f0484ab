// What kind of key a PEM holds, read from its AlgorithmIdentifier, so a key of the wrong kind is refused by name
// ("it is an EC key") instead of by WebCrypto's bare "DataError: Invalid key type". Only the outer DER structure is
// read, never the key itself.

// DER-encoded object identifiers (the bytes after the 0x06 tag and length).
const ALGORITHMS: Record<string, string> = {
  '2a864886f70d010101': 'RSA',
  '2a864886f70d01010a': 'RSA-PSS',
  '2a8648ce3d0201': 'EC',
  '2b6570': 'Ed25519',
  '2b6571': 'Ed448',
  '2b656e': 'X25519',
  '2b656f': 'X448',
  '2a8648ce380401': 'DSA',
};

/** Headers that name their kind themselves (SEC1 and PKCS#1 keys, which carry no AlgorithmIdentifier). */
const PEM_LABELS: Record<string, string> = { 'EC PRIVATE KEY': 'EC', 'RSA PRIVATE KEY': 'RSA', 'DSA PRIVATE KEY': 'DSA', 'RSA PUBLIC KEY': 'RSA' };

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function readTlv(der: Uint8Array, offset: number): Tlv | undefined {
  const tag = der[offset];
  let length = der[offset + 1];
  if (tag === undefined || length === undefined) return undefined;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = (length << 8) | (der[start + i] ?? 0);
    start += count;
  }
  const end = start + length;
  return end <= der.length ? { tag, start, end } : undefined;
}

/** The kind of key in a PKCS#8 (PrivateKeyInfo) or SPKI DER: `version` (PKCS#8 only), then the AlgorithmIdentifier. */
function derKeyType(der: Uint8Array): string | undefined {
  const outer = readTlv(der, 0);
  if (outer?.tag !== 0x30) return undefined;
  let next = readTlv(der, outer.start);
  if (next?.tag === 0x02) next = readTlv(der, next.end);
  if (next?.tag !== 0x30) return undefined;
  const oid = readTlv(der, next.start);
  if (oid?.tag !== 0x06) return undefined;
  const hex = Array.from(der.subarray(oid.start, oid.end), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return ALGORITHMS[hex] ?? 'unknown';
}

/** 'RSA', 'EC', 'Ed25519', ... for the first PEM block in `text`; undefined when there is no readable one. */
export function pemKeyType(text: string): string | undefined {
  const block = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  if (!block) return undefined;
  const label = PEM_LABELS[block[1]!];
  if (label) return label;
  try {
    const binary = atob(block[2]!.replace(/\s+/g, ''));
    return derKeyType(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
  } catch {
    return undefined;
  }
}
