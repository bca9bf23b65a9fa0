import { fromBase64 } from '../../identity/encoding.js';
import { invalid } from '../errors.js';

/** The image formats profiles accept, recognised by their first bytes, never by a file name. */
export interface ImageType {
  contentType: 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';
  ext: 'png' | 'jpg' | 'webp' | 'gif';
}

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const GIF87 = ascii('GIF87a');
const GIF89 = ascii('GIF89a');
const RIFF = ascii('RIFF');
const WEBP = ascii('WEBP');

export function sniffImage(bytes: Uint8Array): ImageType | null {
  if (startsWith(bytes, PNG)) return { contentType: 'image/png', ext: 'png' };
  if (startsWith(bytes, JPEG)) return { contentType: 'image/jpeg', ext: 'jpg' };
  if (startsWith(bytes, GIF87) || startsWith(bytes, GIF89)) return { contentType: 'image/gif', ext: 'gif' };
  if (startsWith(bytes, RIFF) && startsWith(bytes, WEBP, 8)) return { contentType: 'image/webp', ext: 'webp' };
  return null;
}

const BY_EXT: Record<string, ImageType['contentType']> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

/** The content type of a stored picture, from the extension the service gave its key. */
export function contentTypeOfExt(ext: string): ImageType['contentType'] | null {
  return BY_EXT[ext] ?? null;
}

/** Base64 image text as the later clients send it (a `data:` URL prefix and line breaks allowed). */
export function decodeBase64Image(text: string): Uint8Array {
  const b64 = text.replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '');
  try {
    return fromBase64(b64);
  } catch {
    throw invalid('Invalid base64 image');
  }
}
