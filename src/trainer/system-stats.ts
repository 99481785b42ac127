// The trainer's own CPU use and memory per epoch, measured in-process (process.cpuUsage counts every thread,
// the engine's workers included) so it works the same under utilityProcess, child_process and on every OS.

export interface SystemSample {
  cpuPercent: number;
  rssMb: number;
}

export function systemSampler(): () => SystemSample {
  let cpu = process.cpuUsage();
  let wall = process.hrtime.bigint();
  return () => {
    const now = process.hrtime.bigint();
    const used = process.cpuUsage(cpu);
    const micros = Number(now - wall) / 1000;
    cpu = process.cpuUsage();
    wall = now;
    const cpuPercent = micros > 0 ? ((used.user + used.system) / micros) * 100 : 0;
    return { cpuPercent: Math.round(cpuPercent * 10) / 10, rssMb: Math.round((process.memoryUsage.rss() / 2 ** 20) * 10) / 10 };
  };
}
