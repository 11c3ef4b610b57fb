/**
 * A progress bar on a terminal (redrawn in place), or a line at each quarter when the output
 * is a file or a pipe, so logs stay readable.
 */
export function progressBar(label: string, out: NodeJS.WriteStream = process.stderr): { update(done: number, total: number): void; finish(text: string): void } {
  let lastQuarter = -1;
  let lastDraw = 0;
  return {
    update(done, total) {
      const ratio = total === 0 ? 1 : done / total;
      if (out.isTTY) {
        const now = Date.now();
        if (now - lastDraw < 50 && done < total) return;
        lastDraw = now;
        const width = 30;
        const filled = Math.round(ratio * width);
        out.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%  ${done.toLocaleString('en')} / ${total.toLocaleString('en')} events`);
      } else {
        const quarter = Math.floor(ratio * 4);
        if (quarter > lastQuarter) {
          lastQuarter = quarter;
          out.write(`${label}: ${Math.floor(ratio * 100)}% (${done.toLocaleString('en')} / ${total.toLocaleString('en')} events)\n`);
        }
      }
    },
    finish(text) {
      out.write(out.isTTY ? `\r\u001b[2K${text}\n` : `${text}\n`);
    },
  };
}
