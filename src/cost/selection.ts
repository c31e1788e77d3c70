import { ErrorCode, GofnError } from '../errors';
import { parseFunctionRef, TAG_VALUE } from '../targets';
import type { CostSelection } from './collect';

/**
 * What `gofn cost [fn|service=…]` and `/gofn cost [fn|service=…]` name: nothing for every managed
 * function, `service=<value>` for the functions whose `service` tag has that value, or a function.
 */
export function parseCostSelection(word: string | undefined): CostSelection {
  const text = word?.trim() ?? '';
  if (text === '') return { kind: 'all' };
  const service = /^service=(.*)$/.exec(text)?.[1];
  if (service !== undefined) {
    if (!TAG_VALUE.test(service)) {
      throw new GofnError(
        ErrorCode.InvalidInput,
        `"${clip(text)}" does not name a service; use service=<value of the service tag>, like service=orders.`,
      );
    }
    return { kind: 'service', service };
  }
  try {
    // fn, fn@region or account/region/fn: the account and region are found where targets are configured.
    parseFunctionRef(text);
  } catch {
    throw new GofnError(
      ErrorCode.InvalidInput,
      `"${clip(text)}" is not a Lambda function name; name a function (fn, fn@region or account/region/fn), service=<value>, or nothing for every managed function.`,
    );
  }
  return { kind: 'function', name: text };
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
