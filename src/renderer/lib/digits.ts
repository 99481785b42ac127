// Draws a 28×28 digit (784 bytes, base64) on a canvas: white ink on a dark ground, like the Kaggle pixels.

const cache = new Map<string, ImageData>();

function decode(pixels: string): ImageData {
  const hit = cache.get(pixels);
  if (hit) return hit;
  const raw = atob(pixels);
  const image = new ImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = raw.charCodeAt(i);
    image.data[i * 4] = v;
    image.data[i * 4 + 1] = v;
    image.data[i * 4 + 2] = v;
    image.data[i * 4 + 3] = 255;
  }
  if (cache.size > 2000) cache.clear();
  cache.set(pixels, image);
  return image;
}

export function drawDigit(canvas: HTMLCanvasElement, pixels: string): void {
  canvas.width = 28;
  canvas.height = 28;
  canvas.getContext('2d')?.putImageData(decode(pixels), 0, 0);
}
