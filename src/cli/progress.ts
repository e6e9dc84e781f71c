/**
 * A progress bar on stderr for long runs. Drawn only on a terminal (a CI log or a pipe gets the
 * final line only), and at most ten times a second so drawing never costs more than the work.
 */
export function progressBar(label: string): { update(done: number, total: number): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (!tty || now - last < 100) return;
      last = now;
      const share = total > 0 ? Math.min(1, done / total) : 0;
      const width = 30;
      const filled = Math.round(share * width);
      process.stderr.write(
        `\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")}`,
      );
      drawn = true;
    },
    end() {
      if (drawn) process.stderr.write("\n");
    },
  };
}
