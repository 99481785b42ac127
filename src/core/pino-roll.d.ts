// pino-roll ships no types: the options this project passes and the SonicBoom stream it resolves to.
declare module 'pino-roll' {
  import type { DestinationStream } from 'pino';
  interface PinoRollOptions {
    file: string;
    extension?: string;
    frequency?: 'daily' | 'hourly' | number;
    size?: string | number;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    mkdir?: boolean;
    sync?: boolean;
  }
  export default function pinoRoll(options: PinoRollOptions): Promise<DestinationStream & { end(): void; flushSync(): void }>;
}
