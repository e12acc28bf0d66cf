import type { Page } from 'playwright-core';

/**
 * A busy, colourful stand-in for a game capture, drawn on a canvas at 1920×1080: a bright
 * sky with white clouds, a sun, dark mountains, a saturated platformer level and a dark
 * cave — every kind of background an overlay must stay legible on. Seeded, so every
 * screenshot has the same picture behind it.
 */
const DRAW_SCENE = `(() => {
  const W = 1920, H = 1080;
  const canvas = document.createElement('canvas');
  canvas.width = W; canvas.height = H;
  const g = canvas.getContext('2d');
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const sky = g.createLinearGradient(0, 0, 0, H * 0.7);
  sky.addColorStop(0, '#3aa0ff'); sky.addColorStop(0.6, '#9fe3ff'); sky.addColorStop(1, '#ffe6a8');
  g.fillStyle = sky; g.fillRect(0, 0, W, H);
  g.fillStyle = '#fff3a0'; g.beginPath(); g.arc(1500, 190, 110, 0, Math.PI * 2); g.fill();
  for (let i = 0; i < 9; i++) {
    const x = rand() * W, y = 60 + rand() * 300, s = 60 + rand() * 90;
    g.fillStyle = 'rgba(255,255,255,0.95)';
    for (let k = 0; k < 5; k++) { g.beginPath(); g.arc(x + k * s * 0.55, y + Math.sin(k) * s * 0.2, s * 0.5, 0, Math.PI * 2); g.fill(); }
  }
  const ridge = (base, amp, colour) => {
    g.fillStyle = colour; g.beginPath(); g.moveTo(0, H);
    for (let x = 0; x <= W; x += 40) g.lineTo(x, base - Math.abs(Math.sin(x / 230 + amp)) * amp * 2 - rand() * 30);
    g.lineTo(W, H); g.fill();
  };
  ridge(640, 90, '#5b4a8a'); ridge(720, 70, '#2e2452');
  g.fillStyle = '#3fbf4a'; g.fillRect(0, 780, W, 300);
  for (let x = 0; x < W; x += 64) for (let y = 780; y < H; y += 64) {
    g.fillStyle = ((x + y) / 64) % 2 ? '#c8742c' : '#a85a1c'; g.fillRect(x, y + 40, 64, 64);
  }
  g.fillStyle = '#6fe06f'; g.fillRect(0, 780, W, 40);
  const colours = ['#ff3b6b', '#ffd23b', '#3bd1ff', '#8a5bff', '#ff8a1f', '#ffffff', '#111111'];
  for (let i = 0; i < 26; i++) {
    const x = Math.floor(rand() * 30) * 64, y = 420 + Math.floor(rand() * 6) * 64;
    g.fillStyle = colours[i % colours.length]; g.fillRect(x, y, 64, 64);
    g.strokeStyle = 'rgba(0,0,0,0.5)'; g.lineWidth = 4; g.strokeRect(x + 2, y + 2, 60, 60);
  }
  g.fillStyle = '#0d0b14'; g.beginPath(); g.ellipse(300, 1000, 360, 220, 0, 0, Math.PI * 2); g.fill();
  for (let i = 0; i < 300; i++) {
    g.fillStyle = 'rgba(' + [255 * rand(), 255 * rand(), 255 * rand()].map(Math.floor).join(',') + ',0.55)';
    g.fillRect(rand() * W, rand() * H, 3, 3);
  }
  g.fillStyle = '#ffe9d6'; g.fillRect(1180, 600, 70, 110); g.fillStyle = '#e0245e'; g.fillRect(1170, 560, 90, 50);
  g.fillStyle = '#1d1d1d'; g.fillRect(1195, 630, 12, 12); g.fillRect(1225, 630, 12, 12);
  return canvas.toDataURL('image/png');
})()`;

export interface Placed {
  /** The overlay's transparent screenshot (PNG). */
  png: Buffer;
  left: number;
  top: number;
}

/**
 * Puts transparent overlay screenshots on the scene, where a streamer would place their
 * browser sources on a 1920×1080 OBS canvas — the same compositing OBS does — and saves
 * the result as a PNG.
 */
export async function composeOnScene(page: Page, placed: Placed[], path: string): Promise<void> {
  await page.setViewportSize({ width: 1920, height: 1080 });
  const scene = (await page.evaluate(DRAW_SCENE)) as string;
  const images = placed
    .map(
      (p) =>
        `<img src="data:image/png;base64,${p.png.toString('base64')}" style="position:absolute;left:${p.left}px;top:${p.top}px">`,
    )
    .join('');
  await page.setContent(
    `<body style="margin:0;width:1920px;height:1080px;position:relative;background:url(${scene})">${images}</body>`,
  );
  await page.screenshot({ path });
}
