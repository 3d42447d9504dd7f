// Events per second over the last minute, stacked by source, on a <canvas>. Counting is one
// array increment per event; drawing happens once a second (and on resize), so a burst costs
// the chart nothing extra.

const SECONDS = 60;

export class RateChart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{id: string, color: string}[]} series  the sources, bottom to top
   * @param {(now: number, peak: number) => void} described  told the figures after each draw
   */
  constructor(canvas, series, described) {
    this.canvas = canvas;
    this.series = series;
    this.described = described;
    this.index = new Map(series.map((s, i) => [s.id, i]));
    // buckets[k] holds the counts of second `start + k`, one per series.
    this.buckets = new Map();
    new ResizeObserver(() => this.draw()).observe(canvas);
    setInterval(() => this.draw(), 1000);
  }

  count(sourceId, at = Date.now()) {
    const second = Math.floor(at / 1000);
    let bucket = this.buckets.get(second);
    if (!bucket) {
      bucket = new Array(this.series.length).fill(0);
      this.buckets.set(second, bucket);
    }
    bucket[this.index.get(sourceId)] += 1;
  }

  draw() {
    const now = Math.floor(Date.now() / 1000);
    for (const second of this.buckets.keys()) if (second <= now - SECONDS) this.buckets.delete(second);
    const totals = [];
    for (let k = SECONDS - 1; k >= 0; k -= 1) {
      const b = this.buckets.get(now - k);
      totals.push(b ? b.reduce((a, c) => a + c, 0) : 0);
    }
    const peak = Math.max(...totals);
    // The second in progress is partial; "now" reads the last complete one.
    this.described(totals[SECONDS - 2], peak);

    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(this.canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(this.canvas.clientHeight * ratio));
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const ctx = this.canvas.getContext("2d");
    ctx.clearRect(0, 0, width, height);
    const style = getComputedStyle(this.canvas);
    const axis = style.getPropertyValue("--chart-axis").trim() || "#888";
    const top = niceCeiling(Math.max(peak, 10));
    const pad = { left: 40 * ratio, right: 6 * ratio, top: 8 * ratio, bottom: 18 * ratio };
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;

    ctx.font = `${11 * ratio}px system-ui, sans-serif`;
    ctx.fillStyle = axis;
    ctx.strokeStyle = axis;
    ctx.globalAlpha = 0.25;
    ctx.lineWidth = ratio;
    for (const f of [0, 0.5, 1]) {
      const y = Math.round(pad.top + plotH * (1 - f)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(pad.left, y);
      ctx.lineTo(width - pad.right, y);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const f of [0, 0.5, 1]) ctx.fillText(compact(top * f), pad.left - 6 * ratio, pad.top + plotH * (1 - f));
    ctx.textBaseline = "alphabetic";
    ctx.textAlign = "left";
    ctx.fillText("−60 s", pad.left, height - 4 * ratio);
    ctx.textAlign = "right";
    ctx.fillText("now", width - pad.right, height - 4 * ratio);

    const slot = plotW / SECONDS;
    const barW = Math.max(1, slot - Math.max(1, slot * 0.2));
    for (let k = 0; k < SECONDS; k += 1) {
      const bucket = this.buckets.get(now - (SECONDS - 1 - k));
      if (!bucket) continue;
      let y = pad.top + plotH;
      this.series.forEach((s, i) => {
        const hgt = (bucket[i] / top) * plotH;
        if (hgt <= 0) return;
        ctx.fillStyle = s.color;
        ctx.fillRect(pad.left + k * slot, y - hgt, barW, hgt);
        y -= hgt;
      });
    }
  }
}

/** 1, 2, 5 × 10^n at or above `x`. */
function niceCeiling(x) {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

function compact(n) {
  if (n >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}
