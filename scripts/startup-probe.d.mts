export function runnerEnv(): Record<string, string>;
export function firstLine(args: string[], env: Record<string, string>): Promise<{ ms: number; text: string }>;
export function dirSize(dir: string): number;
