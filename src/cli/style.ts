import type { StepStatus } from '../checks/types';

/** ANSI styling that is a no-op when colour is off (not a TTY, NO_COLOR, or --no-color). */
export interface Style {
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
  magenta(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

const colours: Style = {
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  green: wrap(32, 39),
  magenta: wrap(35, 39),
  dim: wrap(2, 22),
  bold: wrap(1, 22),
};

const plain: Style = { red: id, yellow: id, green: id, magenta: id, dim: id, bold: id };

function id(text: string): string {
  return text;
}

/** https://no-color.org: any non-empty NO_COLOR turns colour off. */
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, flag: boolean): boolean {
  return flag && Boolean(stream.isTTY) && !env.NO_COLOR;
}

export function createStyle(enabled: boolean): Style {
  return enabled ? colours : plain;
}

export const statusMark: Record<StepStatus, string> = {
  ok: '✔',
  warn: '▲',
  critical: '✖',
  unknown: '?',
  'no-traffic': '∅',
};

export function paintStatus(style: Style, status: StepStatus, text: string): string {
  switch (status) {
    case 'ok':
      return style.green(text);
    case 'warn':
      return style.yellow(text);
    case 'critical':
      return style.red(text);
    case 'unknown':
      return style.magenta(text);
    case 'no-traffic':
      return style.yellow(text);
  }
}
