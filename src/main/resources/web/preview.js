/**
 * Thumbnails of pictures, made in the sender's browser: the server never decodes a picture, and nobody
 * fetches a URL to make one. A thumbnail travels in the file message as a `data:` URL, within the
 * protocol's limit on its bytes.
 */

/** The most bytes a preview may have once decoded (the protocol's limit). */
export const MAX_PREVIEW_BYTES = 32 * 1024;
/** Pictures of these types get a thumbnail, and show full size in the page. */
export const PICTURE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);
/** Larger pictures are not decoded for a thumbnail (a photo is a few MB; decoding costs memory). */
const MAX_SOURCE_BYTES = 50 * 1024 * 1024;
/** Tried in turn until one fits: the longest side in pixels and the encoder's quality. */
const ATTEMPTS = [[360, 0.8], [280, 0.7], [200, 0.6]];

/**
 * A thumbnail of `file` if it is a picture this browser can decode, else null.
 * @param {File} file
 * @returns {Promise<{image: string, width: number, height: number}|null>}
 */
export async function makePreview(file) {
  if (!PICTURE_TYPES.has(file.type) || file.size > MAX_SOURCE_BYTES) return null;
  /** @type {ImageBitmap} */
  let bitmap;
  try {
    bitmap = await createImageBitmap(file); // turned as the camera said (EXIF orientation)
  } catch {
    return null; // not a picture after all, or one this browser cannot read
  }
  try {
    const { width, height } = bitmap;
    for (const [side, quality] of ATTEMPTS) {
      const scale = Math.min(1, side / Math.max(width, height));
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(width * scale));
      canvas.height = Math.max(1, Math.round(height * scale));
      const g = canvas.getContext('2d');
      if (!g) return null;
      g.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const blob = await encode(canvas, quality);
      if (blob && blob.size <= MAX_PREVIEW_BYTES) return { image: await dataUrl(blob), width, height };
    }
    return null;
  } finally {
    bitmap.close();
  }
}

/**
 * WebP where the browser encodes it, else JPEG (which every browser does).
 * @param {HTMLCanvasElement} canvas
 * @param {number} quality
 * @returns {Promise<Blob|null>}
 */
async function encode(canvas, quality) {
  const toBlob = (/** @type {string} */ type) =>
    new Promise((resolve) => canvas.toBlob((b) => resolve(b), type, quality));
  const webp = /** @type {Blob|null} */ (await toBlob('image/webp'));
  if (webp?.type === 'image/webp') return webp;
  return /** @type {Promise<Blob|null>} */ (toBlob('image/jpeg'));
}

/**
 * @param {Blob} blob
 * @returns {Promise<string>}
 */
function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}
