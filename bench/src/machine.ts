import { cpus, loadavg, release, totalmem } from 'node:os';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  /** 1/5/15-minute load averages when the run started: others share this machine. */
  loadAverage: number[];
}

export function describeMachine(): Machine {
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${process.platform} ${release()}`,
    node: process.version,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
